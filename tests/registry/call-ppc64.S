/* test_addmoduledata(md), test_delmoduledata(md): the registration entry
   points called from C with the stub's convention (ppc64, ELFv1: md in r3,
   as the C call already put it; r2 ours from our descriptor; a 112-byte
   minimum frame, whose 40(r1) the PLT stub saves r2 in). */
	.macro	entry name, target
	.section ".opd","aw"
	.balign	8
	.globl	\name
	.type	\name, @function
\name:	.quad	.L.\name, .TOC.@tocbase, 0
	.text
	.balign	4
.L.\name:
	mflr	0
	std	0,16(1)
	stdu	1,-112(1)
	bl	\target
	nop
	addi	1,1,112
	ld	0,16(1)
	mtlr	0
	blr
	.size	\name, .-.L.\name
	.endm
	entry	test_addmoduledata, modlink_addmoduledata
	entry	test_delmoduledata, modlink_delmoduledata
	.section .note.GNU-stack,"",@progbits
