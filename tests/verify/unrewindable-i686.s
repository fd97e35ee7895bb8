/* A paired call in a form the runtime cannot rewind, for modlink-verify to
   report: "nop ; call *modlink_deferreturn@GOT(%eax)" (ff 90 disp32), the
   GOT pointer in %eax, which the deferred function may change before the
   call runs again (runtime-asm/call-forms-i386.h).  GCC makes this form in
   PIC code with -fno-plt; the plugin calls through the PLT instead. */
	.text
	.globl	unrewindable
	.type	unrewindable, @function
unrewindable:
	call	1f
1:	popl	%eax
	addl	$_GLOBAL_OFFSET_TABLE_+[.-1b], %eax
	nop
	call	*modlink_deferreturn@GOT(%eax)
	ret
	.size	unrewindable, .-unrewindable
	.section .note.GNU-stack,"",@progbits
