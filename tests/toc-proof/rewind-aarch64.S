/* proof_rewind for aarch64: what jmpdefer does, in a few lines, without
   the rest of the defer runtime.  Every odd call returns to "return
   address - 4", the bl itself, so the caller executes the call again;
   every even call returns normally.  It refuses (udf) a call site
   without the pairing's nop.  */
	.text
	.globl	proof_rewind
	.type	proof_rewind, %function
	.p2align 4
proof_rewind:
	hint	34				// bti c: reached through a PLT's br x17
	adrp	x9, :got:proof_calls		// our counter, through our GOT
	ldr	x9, [x9, :got_lo12:proof_calls]	// (it may be copied into the executable)
	ldr	x10, [x9]
	add	x10, x10, #1
	str	x10, [x9]
	tbz	x10, #0, 1f			// even call: a plain return
	ldr	w11, [x30, #-8]			// the instruction before the bl
	movz	w12, #0x201f			// nop: d503201f
	movk	w12, #0xd503, lsl #16
	cmp	w11, w12
	b.ne	3f
	sub	x30, x30, #4			// rewind: return to the bl
1:	ret
3:	udf	#0
	.size	proof_rewind, .-proof_rewind

	.bss
	.globl	proof_calls
	.type	proof_calls, %object
	.size	proof_calls, 8
	.p2align 3
proof_calls:
	.zero	8
	.section .note.GNU-stack,"",%progbits
