/* modlink plugin hooks for 32-bit Arm (arm-linux-gnueabihf): Thumb-2, the
   default of Debian's armhf compiler, and ARM code (-marm), mixed freely
   in one program.

   The shape.  A paired call is "nop ; bl SYM".  bl is 4 bytes in both
   instruction sets; the nop is 2 bytes in Thumb-2 (bf00) and 4 in ARM
   (e320f000).  The defer runtime makes a deferred function return to
   "return address - 4", the bl itself, so the call runs again.  In Thumb
   code LR is odd (bit 0 says "return to Thumb"); subtracting 4 keeps it
   odd, so the rewind is the same for both.  The nop keeps "return
   address - 1" (unwinders look there; the EHABI unwinder at "- 2") inside
   the caller's call site.

   Interworking.  A bl whose target is in the other instruction set (a
   function of the other set, or an ARM-code PLT entry called from Thumb)
   becomes blx when ld resolves it, still 4 bytes; the runtime jumps to a
   deferred function with bx, which switches set by the address's bit 0.
   So a deferring function and its deferred functions may each be either.

   Direct calls only.  -mlong-calls, the long_call attribute and #pragma
   long_calls make a call "ldr rN,=SYM ; blx rN" (or the GOT load in PIC
   code), and rN, a call-clobbered register at -O0, does not survive the
   deferred function, so a rewound blx would jump anywhere.  The backend
   decides from the callee's declaration (arm_is_long_call_p), where
   short_call beats both, so the paired symbol's type gets short_call: its
   calls are bl, which ld extends with a veneer where the target is out of
   reach.  A call the late check still finds going through a register is
   refused.

   -fno-plt has no effect here: calls stay "bl SYM(PLT)".  GCC never makes
   a call conditional on Armv5T and later (the AAPCS: ld could not turn a
   bl<cond> into blx), and calls are not predicable inside Thumb-2 IT
   blocks, so the bl is unconditional and runs again whatever flags the
   deferred function left.  */

#include "modlink-plugin.h"

/* The callee's declaration says how arm_expand_call calls it: short_call
   makes it bl whatever -mlong-calls, long_call or #pragma long_calls say.
   The attribute goes on the declaration's type, which the backend reads
   through SYMBOL_REF_DECL; every call of a paired symbol is paired, so all
   of them should be bl.  */
static void
arm_force_direct_call (gcall *stmt)
{
  tree fndecl = gimple_call_fndecl (stmt);
  if (!fndecl)
    return;
  tree type = TREE_TYPE (fndecl);
  if (lookup_attribute ("short_call", TYPE_ATTRIBUTES (type)))
    return;
  TREE_TYPE (fndecl)
    = build_type_attribute_variant
	(type, tree_cons (get_identifier ("short_call"), NULL_TREE,
			  TYPE_ATTRIBUTES (type)));
}

static bool
arm_canonicalize_call_late (rtx_insn *insn)
{
  /* Only "bl SYM" can be rewound: anything else went through a register.  */
  return modlink_call_is_direct (insn);
}

static void
arm_emit_pairing (rtx_insn *insn)
{
  /* bf00 nop (Thumb-2) or e320f000 nop (ARM): the backend's "nop"
     pattern, whose length attribute follows the function's set.  */
  emit_insn_before (gen_nop (), insn);
}

/* Filled by field name (in declaration order, as C++ requires); the
   members not named here are null: no TOC on Arm.  */
const struct modlink_target modlink_target_hooks = {
  .name = "arm",
  .force_direct_call = arm_force_direct_call,
  .canonicalize_call_late = arm_canonicalize_call_late,
  .emit_pairing = arm_emit_pairing,
  .pairing_length = 1,	/* nop */
};
