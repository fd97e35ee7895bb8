/* aarch64: modlink_deferreturn, and the jmpdefer step.
 *
 * The plugin calls it as "nop ; bl modlink_deferreturn" at every return
 * of a deferring function F, with F's frame word in x0.  Each entry asks
 * C for F's next deferred call; if there is one, we branch to it with x30
 * rewound by 4, to the bl, as Go's arm64 jmpdefer did.  When the deferred
 * function returns there, the bl runs us again.  sp is the same on every
 * entry and does not grow with the number of deferred calls.  The
 * deferred-call record's offsets come from runtime/defer-record.h, which
 * defer.c checks against its struct.
 *
 * Branch protection (-mbranch-protection=standard).
 * - BTI: we are reached through a PLT entry's "br x17", so our first
 *   instruction is a landing pad, "bti c".  We reach the
 *   deferred function with "br x16": a br through x16 or x17 may land on
 *   "bti c" or paciasp, the pads GCC puts at function entries; through
 *   any other register only on "bti j", which no function entry has.
 * - PAC: our own x30 is signed (paciasp, against sp at entry) while it
 *   sits in our frame, and authenticated (autiasp, same sp) before it is
 *   used at all: the rewind computes from it, and "ret" goes to it.  A
 *   signed address carries its PAC in the top bits, so rewinding or
 *   returning from it without autiasp faults.  The deferred function
 *   signs the rewound x30 itself, against the same sp it authenticates
 *   with when it returns.
 * The note (property-aarch64.h) says both, so a module linked only from
 * objects built with -mbranch-protection=standard stays BTI-marked.
 *
 * MODLINK_NEGATIVE_CONTROL_*: the tests' negative controls
 * (tests/defer/CMakeLists.txt) build this file without the landing pad,
 * without autiasp, or branching through x9, and see each one fail. */
#include "defer-record.h"
#include "property-aarch64.h"

	.text
	.globl	modlink_deferreturn
	.type	modlink_deferreturn, %function
	.balign	16
modlink_deferreturn:
	.cfi_startproc
#ifndef MODLINK_NEGATIVE_CONTROL_NO_BTI
	hint	34			/* bti c: the landing pad comes first */
#endif
	mov	x1, x30			/* arg 2: our return address, unsigned */
	hint	25			/* paciasp: sign x30 against sp */
	.cfi_negate_ra_state
	stp	x29, x30, [sp, #-16]!	/* frame record; sp stays 16-aligned */
	.cfi_def_cfa_offset 16
	.cfi_offset x29, -16
	.cfi_offset x30, -8
	mov	x29, sp
	add	x2, sp, #16		/* arg 3: the paired call's sp */
	mov	w3, #1			/* arg 4: no TOC here, so F's last call may
					   return straight to our return address */
					/* arg 1: x0, the frame word, as we got it */
	bl	modlink__deferreturn_next	/* hidden: a direct call */
	ldp	x29, x30, [sp], #16
	.cfi_restore x29
	.cfi_restore x30
	.cfi_def_cfa_offset 0
#ifndef MODLINK_NEGATIVE_CONTROL_NO_AUTIASP
	hint	29			/* autiasp: x30 back to the return address */
	.cfi_negate_ra_state
#endif
	cbz	x0, 1f			/* no call left: return to F */
	ldr	x16, [x0, #MODLINK_DEFERRED_FN]		/* its function, in x16 for BTI */
	ldr	x1, [x0, #MODLINK_DEFERRED_LAST]	/* F's last call? */
	ldr	x0, [x0, #MODLINK_DEFERRED_ARG]		/* its argument */
	cbnz	x1, 3f			/* last: it returns where we would have */
	sub	x30, x30, #4		/* rewind: it returns to the bl */
#ifndef MODLINK_NEGATIVE_CONTROL_BR_X9
3:	br	x16			/* its frame replaces ours */
#else
3:	mov	x9, x16
	br	x9
#endif
1:	ret
	.cfi_endproc
	.size	modlink_deferreturn, .-modlink_deferreturn

	modlink_aarch64_property_note
	.section .note.GNU-stack,"",%progbits
