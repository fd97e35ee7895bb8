/* modlink plugin hooks for riscv64 (LP64D, the RISC-V ELF psABI).

   The call.  GCC writes a call to a symbol "call SYM" ("call SYM@plt" in
   PIC code): the assembler makes it "auipc ra,hi20 ; jalr
   ra,lo12(ra)" with an R_RISCV_CALL(_PLT) relocation and, unless
   relaxation is off (-mno-relax, ".option norelax"), R_RISCV_RELAX, which
   lets ld shorten the pair to "jal ra,SYM" when SYM or its PLT entry is
   within +-1 MiB.  Both forms only read the pc and write ra, and the PLT
   entry only uses t1 and t3, which a call may clobber: a call to a known
   symbol needs no state but its own bytes, so a deferred function can
   return straight to it and it runs again.

   The rewind.  Which form a site has is known only after the link (and
   "-Wl,--no-relax" keeps every pair), so the runtime reads it from the
   code: the call is a jal when the instruction before the return address
   is one, else auipc + jalr (runtime-asm/call-forms-riscv.h).  The plugin
   does not fix the form; it makes sure a paired call is one of the two.

   The pairing.  A paired call is "nop ; call SYM".  gen_nop is "nop",
   which the assembler compresses to c.nop (2 bytes) where the C extension
   is on; either keeps "return address - 1" of a rewound frame inside the
   caller's call site, where unwinders and symbolizers look.

   Why the form is forced.  GCC calls through a register, "la t1,SYM ;
   jalr t1" (a GOT load), in PIC code for a weak SYM, with -mno-plt, and
   from GCC 15 on with -fno-plt; t1 is call-clobbered, so after a
   deferred function returned to the rewound jalr it would jump anywhere.
   Right after expand the paired call gets a copy of its SYMBOL_REF
   without the decl (the REG_CALL_DECL note still names the callee): the
   backend then neither sees a weak symbol nor, when that is not enough
   (-mno-plt, -fno-plt), a preemptible one, and prints "call SYM", whose
   R_RISCV_CALL ld routes through the PLT all the same where SYM is in
   another module.  -mcmodel=medlow and medany, PIC, PIE and non-PIC code
   all call with "call".  -mcmodel=large (GCC 14 and later) loads every
   callee's address from a literal pool; a direct call may not reach
   there, so such a paired call is refused, as any other call that is not
   "call SYM" after register allocation.  */

#include "modlink-plugin.h"

/* SYM without its decl, so not weak; LOCAL also says it binds locally,
   which the backend then calls pc-relatively.  */
static rtx
direct_symbol (rtx sym, bool local)
{
  rtx copy = gen_rtx_SYMBOL_REF (Pmode, XSTR (sym, 0));
  SYMBOL_REF_FLAGS (copy) = (SYMBOL_REF_FLAGS (sym)
			     & ~(SYMBOL_FLAG_HAS_BLOCK_INFO
				 | SYMBOL_FLAG_ANCHOR));
  if (local)
    SYMBOL_REF_FLAGS (copy) |= SYMBOL_FLAG_LOCAL;
  return copy;
}

/* The call's link register: the (clobber (reg)) of its PARALLEL.  */
static bool
links_ra_p (rtx_insn *insn)
{
  rtx pat = PATTERN (insn);
  if (GET_CODE (pat) != PARALLEL)
    return false;
  for (int i = 0; i < XVECLEN (pat, 0); i++)
    {
      rtx x = XVECEXP (pat, 0, i);
      if (GET_CODE (x) == CLOBBER && REG_P (XEXP (x, 0))
	  && REGNO (XEXP (x, 0)) == 1)		/* x1: ra */
	return true;
    }
  return false;
}

/* Right after expand: "jalr t1" with t1 = SYM (a GOT load) becomes
   "call SYM"; a weak SYM loses its decl.  At -O0 nothing deletes the
   load left behind, so it goes here when the call was its only user.  */
static void
riscv_canonicalize_call_early (rtx_insn *insn)
{
  rtx *loc = modlink_call_address_loc (insn);
  rtx sym = modlink_call_symbol (insn);
  if (!sym)
    return;
  rtx old = *loc;
  bool weak = SYMBOL_REF_P (old) && SYMBOL_REF_WEAK (old);
  if (SYMBOL_REF_P (old) && !weak)
    return;
  if (!validate_change (insn, loc, direct_symbol (sym, false), false)
      && !validate_change (insn, loc, direct_symbol (sym, true), false))
    return;		/* the late check reports it */
  if (REG_P (old))
    modlink_delete_address_load (insn, old);
}

/* After reload: only a call to a SYMBOL_REF that links ra prints as
   "call SYM"; "jalr REG" cannot be rewound.  */
static bool
riscv_canonicalize_call_late (rtx_insn *insn)
{
  return modlink_call_is_direct (insn) && links_ra_p (insn);
}

static void
riscv_emit_pairing (rtx_insn *insn)
{
  emit_insn_before (gen_nop (), insn);	/* 00000013 nop, or 0001 c.nop */
}

/* Filled by field name (in declaration order, as C++ requires); the
   members not named here are null: no TOC on riscv64.  */
const struct modlink_target modlink_target_hooks = {
  .name = "riscv64",
  .canonicalize_call_early = riscv_canonicalize_call_early,
  .canonicalize_call_late = riscv_canonicalize_call_late,
  .emit_pairing = riscv_emit_pairing,
  .pairing_length = 1,	/* nop */
};
