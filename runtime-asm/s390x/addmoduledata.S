/* s390x: the registration entry points called by every module's stub.
 *
 * The module data pointer arrives in %r2, the first integer argument of
 * the s390x ELF ABI, as Go's addmoduledata took it.  Each entry point is
 * a tail jump into C: the stub's caller provided the 160-byte register
 * save area at 0(%r15) that the C function may use, and %r14 still holds
 * the stub's return address. */
	.text

	.globl	modlink_addmoduledata
	.type	modlink_addmoduledata, %function
	.balign	8
modlink_addmoduledata:
	jg	modlink__register	/* hidden: a direct jump, no PLT */
	.size	modlink_addmoduledata, .-modlink_addmoduledata

	.globl	modlink_delmoduledata
	.type	modlink_delmoduledata, %function
	.balign	8
modlink_delmoduledata:
	jg	modlink__deregister
	.size	modlink_delmoduledata, .-modlink_delmoduledata

	.section .note.GNU-stack,"",%progbits
