/* proof_rewind for arm: what jmpdefer does, in a few lines, without the
   rest of the defer runtime.  Every odd call returns to "return address -
   4", the bl itself (bit 0 of LR, the caller's Thumb state, kept), so the
   caller executes the call again; every even call returns normally.  ARM
   code, so that the default Thumb-2 caller reaches it through interworking
   (and an -marm caller without).  It refuses (udf) a call site without the
   pairing's nop: bf00 before the bl in Thumb-2, e320f000 in ARM code.  */
	.syntax	unified
	.arm
	.text
	.globl	proof_rewind
	.type	proof_rewind, %function
	.p2align 2
proof_rewind:
	ldr	r3, 5f				@ our counter, through our GOT
	ldr	r2, 6f
0:	add	r3, pc, r3			@ r3 = GOT (PC reads as 0b + 8)
	ldr	r3, [r3, r2]			@ r3 = &proof_calls
	ldr	r2, [r3]
	add	r2, r2, #1
	str	r2, [r3]
	tst	r2, #1
	bxeq	lr				@ even call: a plain return
	tst	lr, #1
	bne	1f
	ldr	r1, [lr, #-8]			@ ARM caller: the word before the bl
	movw	r2, #0xf000
	movt	r2, #0xe320
	b	2f
1:	ldrh	r1, [lr, #-7]			@ Thumb caller: the halfword before it
	movw	r2, #0xbf00
2:	cmp	r1, r2				@ the pairing: nop right before the bl
	bne	3f
	sub	lr, lr, #4			@ rewind, bit 0 kept
	bx	lr
3:	udf	#0
5:	.word	_GLOBAL_OFFSET_TABLE_ - (0b + 8)
6:	.word	proof_calls(GOT)
	.size	proof_rewind, .-proof_rewind

	.bss
	.globl	proof_calls
	.type	proof_calls, %object
	.size	proof_calls, 8
	.p2align 3
proof_calls:
	.zero	8
	.section .note.GNU-stack,"",%progbits
