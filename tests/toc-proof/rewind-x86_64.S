/* proof_rewind for x86_64: what jmpdefer does, in a few lines, without
   the rest of the defer runtime: the rewind is the runtime's own
   (MODLINK_X86_REWIND).  Every odd call returns to the call instruction
   itself ("return address - length of the call"), so the caller executes
   the call again; every even call returns normally.  It refuses (ud2) a
   call site without the pairing's nop.  */
#include "call-forms-i386.h"	/* x86's call forms and their rewind */

	.text
	.globl	proof_rewind
	.type	proof_rewind, @function
proof_rewind:
	movq	proof_calls@GOTPCREL(%rip), %rax	# our counter, through our GOT
	movq	(%rax), %rcx
	addq	$1, %rcx
	movq	%rcx, (%rax)
	testb	$1, %cl
	jz	1f				# even call: a plain return
	movq	(%rsp), %rdx			# the return address
	MODLINK_X86_REWIND %rdx, %rax		# the call instruction, as the runtime finds it
	cmpb	$MODLINK_X86_NOP, -1(%rax)	# the pairing: nop right before it
	jne	3f
	movq	%rax, (%rsp)			# rewind
1:	ret
3:	ud2
	.size	proof_rewind, .-proof_rewind

	.bss
	.globl	proof_calls
	.type	proof_calls, @object
	.size	proof_calls, 8
	.p2align 3
proof_calls:
	.zero	8
	.section .note.GNU-stack,"",@progbits
