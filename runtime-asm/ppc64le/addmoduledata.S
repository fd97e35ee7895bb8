/* ppc64le (ELFv2): the registration entry points called by every module's
 * stub.
 *
 * The module data pointer arrives in r3, the first argument register.  The
 * stub reached us through its PLT stub, which saved the stub's r2 in its
 * frame and set r12 to our global entry point, so we derive our own TOC
 * from r12.  The C function is hidden and uses the same TOC: a plain
 * branch to its local entry, and its blr returns to the stub directly. */
	.abiversion 2
	.text

	.globl	modlink_addmoduledata
	.type	modlink_addmoduledata, @function
	.balign	4
modlink_addmoduledata:
0:	addis	2,12,.TOC.-0b@ha	/* global entry: r2 = our TOC from r12 */
	addi	2,2,.TOC.-0b@l
	.localentry modlink_addmoduledata,.-modlink_addmoduledata
	b	modlink__register	/* sibling call: same module, same TOC */
	.size	modlink_addmoduledata, .-modlink_addmoduledata

	.globl	modlink_delmoduledata
	.type	modlink_delmoduledata, @function
	.balign	4
modlink_delmoduledata:
0:	addis	2,12,.TOC.-0b@ha
	addi	2,2,.TOC.-0b@l
	.localentry modlink_delmoduledata,.-modlink_delmoduledata
	b	modlink__deregister
	.size	modlink_delmoduledata, .-modlink_delmoduledata

	.section .note.GNU-stack,"",@progbits
