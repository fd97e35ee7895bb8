/* test_addmoduledata(md), test_delmoduledata(md): the registration entry
   points called from C with the stub's convention (aarch64: md in x0, as
   the C call already put it; a tail branch, as the stub's). */
	.text
	.macro	entry name, target
	.globl	\name
	.type	\name, %function
\name:
	hint	34			/* bti c */
	b	\target
	.size	\name, .-\name
	.endm
	entry	test_addmoduledata, modlink_addmoduledata
	entry	test_delmoduledata, modlink_delmoduledata
	.section .note.GNU-stack,"",%progbits
