/* x86_64: the registration entry points called by every module's stub.
 *
 * The module data pointer arrives in %rdi, the first integer argument of
 * the SysV ABI, so each entry point is a tail jump into C: the stub's own
 * call set up the stack (16-byte aligned before that call). */
	.text

	.globl	modlink_addmoduledata
	.type	modlink_addmoduledata, @function
	.balign	16
modlink_addmoduledata:
	jmp	modlink__register	/* hidden: a direct jump, no PLT */
	.size	modlink_addmoduledata, .-modlink_addmoduledata

	.globl	modlink_delmoduledata
	.type	modlink_delmoduledata, @function
	.balign	16
modlink_delmoduledata:
	jmp	modlink__deregister
	.size	modlink_delmoduledata, .-modlink_delmoduledata

	.section .note.GNU-stack,"",@progbits
