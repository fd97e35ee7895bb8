/* modlink plugin hooks for aarch64 (LP64, AAPCS64).

   The shape.  A paired call is "nop ; bl SYM".  Every A64 instruction is
   4 bytes, so the defer runtime rewinds a deferred function's return
   address by 4, onto the bl, and the call runs again.  The nop keeps
   "return address - 1" of the rewound frame inside the caller's call
   site, where unwinders and symbolizers look.

   No TOC.  Code addresses data PC-relatively (adrp + add/ldr), so a
   deferred function from another module changes nothing the call site
   needs: x30 is the only register the bl reads, and it writes it.

   Why the form is forced.  "bl SYM" reaches +-128 MiB; the linker routes
   it through a PLT entry or a range-extension veneer where needed (both
   use only x16/x17, which AAPCS64 lets any call clobber), so it is always
   re-executable.  With -fno-plt (or __attribute__((noplt))) in PIC code,
   GCC expands a call to a preemptible function as
       adrp xN, :got:SYM ; ldr xN, [xN, :got_lo12:SYM] ; blr xN
   and hoists the GOT load out of loops; xN is call-clobbered, so after a
   deferred function returned to the rewound blr it would jump anywhere.
   The paired call is put back to "bl SYM" right after expand, and stays
   so: the backend's call patterns accept a SYMBOL_REF ("Usf") unless
   aarch64_is_noplt_call_p says the symbol is to be called through the
   GOT, which it decides from the symbol's decl.  The direct form uses a
   copy of the SYMBOL_REF without the decl (the call's REG_CALL_DECL note
   still names the callee), which the backend takes for a plain symbol.

   Code models.  -mcmodel=tiny and -mcmodel=small use bl; -mcmodel=large
   (non-PIC only: GCC has no large PIC model) still calls with bl, since
   aarch64 has no long calls: the linker adds veneers.

   Branch protection (-mbranch-protection=standard: BTI + PAC-ret).  The
   rewind is compatible with both: a bl sets x30 unsigned, the runtime
   jumps to the deferred function with br x16 (allowed into "bti c" and
   paciasp landing pads), and the deferred function signs and
   authenticates the rewound x30 against the same stack pointer.  Nothing
   here needs to change; the runtime's assembly carries the landing pads
   and the GNU property note.  */

#include "modlink-plugin.h"

/* SYM without its decl: what aarch64_is_noplt_call_p cannot call
   through the GOT.  The name and the flags (function, local, extern)
   stay; the block flags belong to decl'd objects only.  */
static rtx
direct_symbol (rtx sym)
{
  rtx copy = gen_rtx_SYMBOL_REF (Pmode, XSTR (sym, 0));
  SYMBOL_REF_FLAGS (copy) = (SYMBOL_REF_FLAGS (sym)
			     & ~(SYMBOL_FLAG_HAS_BLOCK_INFO
				 | SYMBOL_FLAG_ANCHOR));
  return copy;
}

/* aarch64_is_noplt_call_p, without calling into cc1 (the plugin must
   load into a compiler for another target far enough to fail its
   version check, so it references no target-specific symbol).  */
static bool
called_through_got_p (rtx sym)
{
  tree decl = SYMBOL_REF_DECL (sym);
  return (flag_pic && decl
	  && (!flag_plt
	      || lookup_attribute ("noplt", DECL_ATTRIBUTES (decl)))
	  && !targetm.binds_local_p (decl));
}

/* Right after expand: "blr xN" with xN = SYM (a GOT load once split)
   becomes "bl SYM".  At -O0 nothing deletes the load left behind, so it
   goes here when the call was its only user.  */
static void
aarch64_canonicalize_call_early (rtx_insn *insn)
{
  rtx *loc = modlink_call_address_loc (insn);
  rtx sym = modlink_call_symbol (insn);
  if (!sym || (SYMBOL_REF_P (*loc) && !called_through_got_p (*loc)))
    return;
  rtx old = *loc;
  if (validate_change (insn, loc, direct_symbol (sym), false) && REG_P (old))
    modlink_delete_address_load (insn, old);
}

/* After reload: only a call to a SYMBOL_REF prints as "bl SYM" (the
   register alternative is "blr").  Anything else cannot be rewound.  */
static bool
aarch64_canonicalize_call_late (rtx_insn *insn)
{
  return (modlink_call_is_direct (insn)
	  && !called_through_got_p (*modlink_call_address_loc (insn)));
}

static void
aarch64_emit_pairing (rtx_insn *insn)
{
  emit_insn_before (gen_nop (), insn);			/* d503201f  nop */
}

/* Filled by field name (in declaration order, as C++ requires); the
   members not named here are null: no TOC on aarch64.  */
const struct modlink_target modlink_target_hooks = {
  .name = "aarch64",
  .canonicalize_call_early = aarch64_canonicalize_call_early,
  .canonicalize_call_late = aarch64_canonicalize_call_late,
  .emit_pairing = aarch64_emit_pairing,
  .pairing_length = 1,	/* nop */
};
