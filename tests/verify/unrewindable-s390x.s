/* A paired call in a form the runtime cannot rewind, for modlink-verify to
   report: "nop 0 ; bras %r14,modlink_deferreturn@PLT" (a7 e5 rel16, 4
   bytes), the call GCC makes with -msmall-exec, which the plugin refuses.
   The runtime rewinds a return address by 6, the length of brasl: here
   that lands 2 bytes into the 4-byte nop (47 00 00 00); after a 2-byte
   nopr it would land on the nopr, and "return address - 1" of the rewound
   frame would lie before the call site. */
	.text
	.globl	unrewindable
	.type	unrewindable, %function
unrewindable:
	stmg	%r14, %r15, 112(%r15)
	aghi	%r15, -160
	nop	0
	bras	%r14, modlink_deferreturn@PLT
	lmg	%r14, %r15, 272(%r15)
	br	%r14
	.size	unrewindable, .-unrewindable
	.section .note.GNU-stack,"",%progbits
