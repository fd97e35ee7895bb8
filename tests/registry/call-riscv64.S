/* test_addmoduledata(md), test_delmoduledata(md): the registration entry
   points called from C with the stub's convention (riscv64: md in a0, as
   the C call already put it; a tail call through t1, as the stub's). */
	.text
	.macro	entry name, target
	.globl	\name
	.type	\name, @function
\name:
	tail	\target
	.size	\name, .-\name
	.endm
	entry	test_addmoduledata, modlink_addmoduledata
	entry	test_delmoduledata, modlink_delmoduledata
	.section .note.GNU-stack,"",@progbits
