/* test_addmoduledata(md), test_delmoduledata(md): the registration entry
   points called from C with the stub's convention (ppc64le: md in r3,
   as the C call already put it; a frame for the PLT stub's TOC save). */
	.abiversion 2
	.text
	.macro	entry name, target
	.globl	\name
	.type	\name, @function
\name:
0:	addis	2,12,.TOC.-0b@ha
	addi	2,2,.TOC.-0b@l
	.localentry \name,.-\name
	mflr	0
	std	0,16(1)
	stdu	1,-32(1)
	bl	\target
	nop
	addi	1,1,32
	ld	0,16(1)
	mtlr	0
	blr
	.size	\name, .-\name
	.endm
	entry	test_addmoduledata, modlink_addmoduledata
	entry	test_delmoduledata, modlink_delmoduledata
	.section .note.GNU-stack,"",@progbits
