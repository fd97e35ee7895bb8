/* proof_rewind for i386: what jmpdefer does, in a few lines, with the
   runtime's own rewind (MODLINK_X86_REWIND).  Every odd call returns to
   the call instruction itself, every even call returns normally.  %ebx (the caller's GOT pointer for "call f@PLT") is
   callee-saved and left alone, so the re-executed call still works.  */
#include "call-forms-i386.h"	/* x86's call forms and their rewind */

	.text
	.globl	proof_rewind
	.type	proof_rewind, @function
proof_rewind:
	call	.Lpc				# %ecx = our GOT (PIC, no %ebx needed)
.Lpc:	popl	%ecx
	addl	$_GLOBAL_OFFSET_TABLE_+[.-.Lpc], %ecx
	movl	proof_calls@GOT(%ecx), %eax	# our counter
	movl	(%eax), %ecx
	addl	$1, %ecx
	movl	%ecx, (%eax)
	testb	$1, %cl
	jz	1f				# even call: a plain return
	movl	(%esp), %edx			# the return address
	MODLINK_X86_REWIND %edx, %eax		# the call instruction, as the runtime finds it
	cmpb	$MODLINK_X86_NOP, -1(%eax)	# the pairing: nop right before it
	jne	3f
	movl	%eax, (%esp)			# rewind
1:	ret
3:	ud2
	.size	proof_rewind, .-proof_rewind

	.bss
	.globl	proof_calls
	.type	proof_calls, @object
	.size	proof_calls, 4
	.p2align 2
proof_calls:
	.zero	4
	.section .note.GNU-stack,"",@progbits
