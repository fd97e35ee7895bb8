/* ppc64le (ELFv2): modlink_deferreturn, and the jmpdefer step.
 *
 * The plugin calls it as "nop ; ld 2,24(1) ; bl modlink_deferreturn" at
 * every return of a deferring function F, with F's frame word in r3, after
 * F stored its TOC pointer at 24(r1).  Each entry asks C for F's next
 * deferred call; if there is one, we branch to it with LR rewound by 8, to
 * the ld, as Go's jmpdefer did.  When the deferred function returns there,
 * F's TOC comes back into r2 before the bl runs us again: the deferred
 * function may live in another module, with another TOC.  r1 is the same
 * on every entry and does not grow with the number of deferred calls.
 * The deferred-call record's offsets come from runtime/defer-record.h,
 * which defer.c checks against its struct. */
#include "defer-record.h"

	.abiversion 2
	.text
	.globl	modlink_deferreturn
	.type	modlink_deferreturn, @function
	.balign	4
modlink_deferreturn:
	.cfi_startproc
0:	addis	2,12,.TOC.-0b@ha	/* global entry: r2 = our TOC from r12 */
	addi	2,2,.TOC.-0b@l
	.localentry modlink_deferreturn,.-modlink_deferreturn
	mflr	0
	mr	4,0			/* arg 2: our return address */
	mr	5,1			/* arg 3: the paired call's r1 */
	lwz	6,0(4)			/* arg 4: may F's last call return straight */
	lis	7,0xe841		/*   to our return address?  Only when the */
	ori	7,7,0x0018		/*   linker put ld 2,24(1) there, which */
	cmpw	6,7			/*   restores F's TOC after a call from */
	li	6,0			/*   another module */
	bne	1f
	li	6,1
1:					/* arg 1: r3, the frame word, as we got it */
	std	0,16(1)			/* LR save doubleword of F's frame header */
	.cfi_offset lr, 16
	stdu	1,-32(1)		/* minimal frame: header only, 16-aligned */
	.cfi_adjust_cfa_offset 32
	bl	modlink__deferreturn_next	/* hidden: same TOC, local entry */
	nop
	addi	1,1,32
	.cfi_adjust_cfa_offset -32
	ld	0,16(1)
	mtlr	0
	.cfi_restore lr
	cmpdi	3,0
	beqlr				/* no call left: return to F */
	ld	12,MODLINK_DEFERRED_FN(3)	/* the function, in r12 for its global entry */
	ld	0,MODLINK_DEFERRED_LAST(3)	/* F's last call? */
	ld	3,MODLINK_DEFERRED_ARG(3)	/* its argument */
	mtctr	12
	cmpdi	0,0
	bnectr				/* last: it returns where we would have */
	mflr	11
	addi	11,11,-8		/* rewind: it returns to the ld before the bl */
	mtlr	11
	bctr				/* its frame replaces ours */
	.cfi_endproc
	.size	modlink_deferreturn, .-modlink_deferreturn

	.section .note.GNU-stack,"",@progbits
