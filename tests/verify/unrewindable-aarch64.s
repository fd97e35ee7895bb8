/* A paired call in a form the runtime cannot rewind, for modlink-verify to
   report: "nop ; blr x1", x1 loaded from modlink_deferreturn's GOT slot.
   The deferred function may change x1 (AAPCS64: call-clobbered) before
   the call runs again.  GCC makes this form in PIC code with -fno-plt;
   the plugin makes a bl instead. */
	.text
	.globl	unrewindable
	.type	unrewindable, %function
unrewindable:
	stp	x29, x30, [sp, #-16]!
	adrp	x1, :got:modlink_deferreturn
	ldr	x1, [x1, :got_lo12:modlink_deferreturn]
	nop
	blr	x1
	ldp	x29, x30, [sp], #16
	ret
	.size	unrewindable, .-unrewindable
	.section .note.GNU-stack,"",%progbits
