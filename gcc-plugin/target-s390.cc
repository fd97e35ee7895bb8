/* modlink plugin hooks for s390x (64-bit z/Architecture, ELF ABI).

   The call.  A function is called with "brasl %r14,SYM" (RIL format,
   6 bytes: c0 e5 and a 32-bit halfword offset), SYM@PLT for anything
   the link may put in another module.  The return address goes to %r14
   and nothing goes on the stack: the caller's %r15 and its 160-byte
   register save area at 0(%r15) are what the callee finds, on every
   execution of the call.  The PLT entry only uses %r1.  So a call to a
   known symbol needs no state but its own bytes, and a deferred function
   can return straight to the brasl: the rewind is "return address - 6",
   as Go's s390x jmpdefer did.

   The pairing.  A paired call is "nop ; brasl %r14,SYM".  GCC's nop on
   s390 is "nopr %r0" (07 00, a bcr that never branches); it keeps
   "return address - 1" of a rewound frame inside the caller's call site,
   where unwinders and symbolizers look.

   The one form.  GCC 12 makes every call to a symbol a brasl, in PIC, PIE
   and non-PIC code alike, and -fno-plt changes nothing on s390.  The
   exceptions, refused here with the "unsupported call form" error:
   - -msmall-exec: "bras %r14,SYM" (RI, 4 bytes), which the 6-byte rewind
     would miss;
   - a call whose address ended up in a register ("basr %r14,%r1"): the
     deferred function may clobber %r1 before the call runs again;
   - a link register other than %r14: the runtime rewinds %r14.
   -mindirect-branch=, -mindirect-branch-table and -mfunction-return=
   (the Spectre variants) only change calls and returns through
   registers, -mhotpatch only adds nops at function entry, -mbackchain and
   -mpacked-stack only the frame layout: the paired call stays a brasl.  */

#include "modlink-plugin.h"

/* The call's link register: the (clobber (reg)) of its PARALLEL.  */
static int
link_register (rtx_insn *insn)
{
  rtx pat = PATTERN (insn);
  if (GET_CODE (pat) != PARALLEL)
    return -1;
  for (int i = 0; i < XVECLEN (pat, 0); i++)
    {
      rtx x = XVECEXP (pat, 0, i);
      if (GET_CODE (x) == CLOBBER && REG_P (XEXP (x, 0)))
	return REGNO (XEXP (x, 0));
    }
  return -1;
}

/* SYM itself (a local symbol) or SYM@PLT, (const (unspec [SYM] UNSPEC_PLT..)),
   whose UNSPEC's name changed between GCC versions: any single-symbol
   UNSPEC around SYM, which is what the call patterns accept.  */
static bool
direct_address_p (rtx addr, rtx sym)
{
  if (SYMBOL_REF_P (addr))
    return !sym || rtx_equal_p (addr, sym);
  if (GET_CODE (addr) != CONST || GET_CODE (XEXP (addr, 0)) != UNSPEC)
    return false;
  rtx unspec = XEXP (addr, 0);
  return (XVECLEN (unspec, 0) == 1
	  && SYMBOL_REF_P (XVECEXP (unspec, 0, 0))
	  && (!sym || rtx_equal_p (XVECEXP (unspec, 0, 0), sym)));
}

/* -msmall-exec makes every call to a symbol a 4-byte bras.  */
static bool
s390_pairing_possible (void)
{
  return !TARGET_SMALL_EXEC;
}

static bool
s390_canonicalize_call_late (rtx_insn *insn)
{
  if (!s390_pairing_possible ())
    return false;
  rtx call = get_call_rtx_from (insn);
  return (call && direct_address_p (XEXP (XEXP (call, 0), 0),
				    modlink_call_symbol (insn))
	  && link_register (insn) == RETURN_REGNUM);	/* brasl %r14 */
}

static void
s390_emit_pairing (rtx_insn *insn)
{
  emit_insn_before (gen_nop (), insn);			/* 07 00  nopr %r0 */
}

/* Filled by field name (in declaration order, as C++ requires); the
   members not named here are null: no TOC on s390x, and GCC already
   makes every paired call the one direct form.  */
const struct modlink_target modlink_target_hooks = {
  .name = "s390x",
  .pairing_possible = s390_pairing_possible,
  .canonicalize_call_late = s390_canonicalize_call_late,
  .emit_pairing = s390_emit_pairing,
  .pairing_length = 1,	/* nop */
};
