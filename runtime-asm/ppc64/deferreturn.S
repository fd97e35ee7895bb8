/* ppc64 (ELFv1, big-endian): modlink_deferreturn, and the jmpdefer step.
 *
 * The plugin calls it as "nop ; ld 2,40(1) ; bl modlink_deferreturn" at
 * every return of a deferring function F, with F's frame word in r3, after
 * F stored its TOC pointer at 40(r1), ELFv1's TOC save doubleword.  Each
 * entry asks C for F's next deferred call; if there is one, we branch to
 * it with LR rewound by 8, to the ld, as Go's jmpdefer did.  When the
 * deferred function returns there, F's TOC comes back into r2 before the
 * bl runs us again: the deferred function may live in another module, with
 * another TOC.  r1 is the same on every entry and does not grow with the
 * number of deferred calls.  The deferred-call record's offsets come from
 * runtime/defer-record.h, which defer.c checks against its struct.
 *
 * ELFv1: a function pointer is the address of a descriptor (entry, TOC,
 * environment); the caller loads all three, as GCC's indirect calls do. */
#include "defer-record.h"

	.section ".opd","aw"
	.balign	8
	.globl	modlink_deferreturn
	.type	modlink_deferreturn, @function
modlink_deferreturn:
	.quad	.L.modlink_deferreturn, .TOC.@tocbase, 0
	.text
	.balign	4
.L.modlink_deferreturn:
	.cfi_startproc
	mflr	0			/* r2 is ours: the PLT stub loaded it */
	mr	4,0			/* arg 2: our return address */
	mr	5,1			/* arg 3: the paired call's r1 */
	lwz	6,0(4)			/* arg 4: may F's last call return straight */
	lis	7,0xe841		/*   to our return address?  Only when the */
	ori	7,7,0x0028		/*   linker put ld 2,40(1) there, which */
	cmpw	6,7			/*   restores F's TOC after a call from */
	li	6,0			/*   another module */
	bne	1f
	li	6,1
1:					/* arg 1: r3, the frame word, as we got it */
	std	0,16(1)			/* LR save doubleword of F's frame header */
	.cfi_offset lr, 16
	stdu	1,-112(1)		/* ELFv1 minimum frame: 48-byte header and */
	.cfi_adjust_cfa_offset 112	/*   the 64-byte parameter save area */
	bl	modlink__deferreturn_next	/* hidden: same TOC */
	nop
	addi	1,1,112
	.cfi_adjust_cfa_offset -112
	ld	0,16(1)
	mtlr	0
	.cfi_restore lr
	cmpdi	3,0
	beqlr				/* no call left: return to F */
	ld	11,MODLINK_DEFERRED_FN(3)	/* the function's descriptor */
	ld	0,MODLINK_DEFERRED_LAST(3)	/* F's last call? */
	ld	3,MODLINK_DEFERRED_ARG(3)	/* its argument */
	ld	12,0(11)		/* descriptor: entry, */
	ld	2,8(11)			/*   its module's TOC, */
	ld	11,16(11)		/*   environment (static chain) */
	mtctr	12
	cmpdi	0,0
	bnectr				/* last: it returns where we would have */
	mflr	12
	addi	12,12,-8		/* rewind: it returns to the ld before the bl */
	mtlr	12
	bctr				/* its frame replaces ours */
	.cfi_endproc
	.size	modlink_deferreturn, .-.L.modlink_deferreturn

	.section .note.GNU-stack,"",@progbits
