/* test_addmoduledata(md), test_delmoduledata(md): the registration entry
   points called from C with the stub's convention (arm: md in r0, as the
   C call already put it; ARM code and a tail branch, as the stub's). */
	.syntax	unified
	.arm
	.text
	.macro	entry name, target
	.globl	\name
	.type	\name, %function
	.p2align 2
\name:
	b	\target
	.size	\name, .-\name
	.endm
	entry	test_addmoduledata, modlink_addmoduledata
	entry	test_delmoduledata, modlink_delmoduledata
	.section .note.GNU-stack,"",%progbits
