/* A paired call in a form the runtime cannot rewind, for modlink-verify to
   report: "nop ; jalr t1", t1 loaded from modlink_deferreturn's GOT slot.
   The deferred function may change t1 (the psABI: a temporary) before the
   call runs again.  GCC makes this form in PIC code for a weak symbol,
   with -mno-plt, and (GCC 15 on) with -fno-plt; the plugin makes a "call"
   instead. */
	.text
	.globl	unrewindable
	.type	unrewindable, @function
unrewindable:
	addi	sp, sp, -16
	sd	ra, 8(sp)
	la	t1, modlink_deferreturn		/* auipc + ld from the GOT (PIC) */
	nop
	jalr	t1
	ld	ra, 8(sp)
	addi	sp, sp, 16
	ret
	.size	unrewindable, .-unrewindable
	.section .note.GNU-stack,"",@progbits
