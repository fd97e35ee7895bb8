/* test_addmoduledata(md), test_delmoduledata(md): the registration entry
   points called from C with the stub's convention (x86_64: md in %rdi, as
   the C call already put it). */
	.text
	.macro	entry name, target
	.globl	\name
	.type	\name, @function
\name:
	jmp	\target@PLT
	.size	\name, .-\name
	.endm
	entry	test_addmoduledata, modlink_addmoduledata
	entry	test_delmoduledata, modlink_delmoduledata
	.section .note.GNU-stack,"",@progbits
