/* arm (EABI, hard float): the registration entry points called by every
 * module's stub.
 *
 * The module data pointer arrives in r0, the first argument register of the
 * AAPCS, so each entry point is a tail branch into C: LR still holds the
 * stub's caller, and the stub left SP as its caller had it (8-byte aligned
 * at a public interface).  Thumb-2, as the C runtime is compiled: the
 * hidden C functions are reached with a plain b.w.  A stub in ARM code
 * reaches us through the PLT (ARM code, which enters us with bx-like
 * interworking) or, linked into the same module, through a veneer that ld
 * adds for an ARM b to a Thumb function. */
	.syntax	unified
	.thumb
	.text

	.globl	modlink_addmoduledata
	.type	modlink_addmoduledata, %function
	.p2align 2
	.thumb_func
modlink_addmoduledata:
	.fnstart
	.cantunwind			/* a tail branch: no frame of its own */
	b.w	modlink__register	/* hidden: direct, no PLT */
	.fnend
	.size	modlink_addmoduledata, .-modlink_addmoduledata

	.globl	modlink_delmoduledata
	.type	modlink_delmoduledata, %function
	.p2align 2
	.thumb_func
modlink_delmoduledata:
	.fnstart
	.cantunwind
	b.w	modlink__deregister
	.fnend
	.size	modlink_delmoduledata, .-modlink_delmoduledata

	.section .note.GNU-stack,"",%progbits
