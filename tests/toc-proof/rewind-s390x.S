/* proof_rewind for s390x: what jmpdefer does, in a few lines, without the
   rest of the defer runtime.  Every odd call returns to "return address
   - 6", the brasl itself, so the caller executes the call again; every
   even call returns normally.  It refuses (an illegal instruction) a call
   site that is not "nopr ; brasl %r14": the rewind is only right for
   that form.  */
	.text
	.globl	proof_rewind
	.type	proof_rewind, %function
	.balign	8
proof_rewind:
	lgrl	%r1, proof_calls@GOTENT		# our counter, through our GOT
	lg	%r0, 0(%r1)
	aghi	%r0, 1
	stg	%r0, 0(%r1)
	tmll	%r0, 1
	bzr	%r14				# even call: a plain return
	aghi	%r14, -6			# the brasl, as the runtime finds it
	llh	%r0, 0(%r14)
	clfi	%r0, 0xc0e5			# brasl %r14,...: c0 e5 rel32
	jne	1f
	llh	%r0, -2(%r14)
	clfi	%r0, 0x0700			# the pairing: nopr %r0 right before it
	jne	1f
	br	%r14				# rewind
1:	.short	0				# an illegal instruction
	.size	proof_rewind, .-proof_rewind

	.bss
	.globl	proof_calls
	.type	proof_calls, %object
	.size	proof_calls, 8
	.balign	8
proof_calls:
	.zero	8
	.section .note.GNU-stack,"",%progbits
