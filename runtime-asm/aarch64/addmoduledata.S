/* aarch64: the registration entry points called by every module's stub.
 *
 * The module data pointer arrives in x0, the first argument register of
 * AAPCS64, so each entry point is a tail branch into C: the stub's own
 * branch kept x30 and the stack as its caller left them.  The stub
 * reaches us through its PLT entry, whose "br x17" needs a landing pad
 * where the loader maps this text with BTI. */
#include "property-aarch64.h"

	.text

	.globl	modlink_addmoduledata
	.type	modlink_addmoduledata, %function
	.balign	16
modlink_addmoduledata:
	hint	34			/* bti c: landing pad for br x17 (PLT) */
	b	modlink__register	/* hidden: a direct branch, no PLT */
	.size	modlink_addmoduledata, .-modlink_addmoduledata

	.globl	modlink_delmoduledata
	.type	modlink_delmoduledata, %function
	.balign	16
modlink_delmoduledata:
	hint	34			/* bti c */
	b	modlink__deregister
	.size	modlink_delmoduledata, .-modlink_delmoduledata

	modlink_aarch64_property_note
	.section .note.GNU-stack,"",%progbits
