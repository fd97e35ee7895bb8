/* test_addmoduledata(md), test_delmoduledata(md): the registration entry
   points called from C with the stub's convention (s390x: md in %r2, as
   the C call already put it; a tail jump through the PLT, as the stub's). */
	.text
	.macro	entry name, target
	.globl	\name
	.type	\name, %function
\name:
	jg	\target@PLT
	.size	\name, .-\name
	.endm
	entry	test_addmoduledata, modlink_addmoduledata
	entry	test_delmoduledata, modlink_delmoduledata
	.section .note.GNU-stack,"",%progbits
