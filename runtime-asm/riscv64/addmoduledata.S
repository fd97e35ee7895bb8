/* riscv64: the registration entry points called by every module's stub.
 *
 * The module data pointer arrives in a0, the first argument register of
 * the LP64D calling convention, so each entry point is a tail call into
 * C: the stub's own tail call kept ra and sp as its caller left them. */

	.text

	.globl	modlink_addmoduledata
	.type	modlink_addmoduledata, @function
	.balign	4
modlink_addmoduledata:
	tail	modlink__register	/* hidden: a direct jump, no PLT (t1 scratch) */
	.size	modlink_addmoduledata, .-modlink_addmoduledata

	.globl	modlink_delmoduledata
	.type	modlink_delmoduledata, @function
	.balign	4
modlink_delmoduledata:
	tail	modlink__deregister
	.size	modlink_delmoduledata, .-modlink_delmoduledata

	.section .note.GNU-stack,"",@progbits
