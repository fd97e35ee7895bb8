/* Shared declarations of the modlink GCC plugin: its options, the
   predicates the passes share, and the per-target hook table.

   Generic code (modlink-plugin.cc) never asks which architecture it runs
   for; everything that differs lives behind struct modlink_target, which
   exactly one target-<backend>.cc defines, <backend> being the table's
   gcc_backend (platform/targets.conf) for the target compiled for.  */

#ifndef MODLINK_PLUGIN_H
#define MODLINK_PLUGIN_H

#include "gcc-common.h"

enum modlink_toc_save { TOC_SAVE_AUTO, TOC_SAVE_ALL, TOC_SAVE_NONE };

/* -fplugin-arg-modlink-KEY[=VALUE], after parsing.  */
struct modlink_options
{
  /* Symbols whose call sites get the pairing (deferreturn=).  */
  vec<const char *> deferreturn;
  /* Symbols followed by a TOC reload (reload-toc=).  */
  vec<const char *> reload_toc;
  enum modlink_toc_save toc_save;
  /* static: the program is fully static, one TOC; pair with nops.  */
  bool static_link;
  /* defer=on|off: lowering of modlink_defer.  */
  bool defer;
  /* open-coded=on|off: open-code the defers of the functions that allow
     it (defer-lowering.cc); off sends every function through the runtime.  */
  bool open_coded;
  bool verbose;
};

extern struct modlink_options modlink_opts;

/* What a call is to the plugin: a set of these flags, 0 for "not ours".  */
enum
{
  CALL_PAIRED = 1,	/* deferreturn= or __attribute__((modlink_deferreturn)).  */
  CALL_RELOAD_TOC = 2	/* reload-toc= or __attribute__((modlink_reload_toc)).  */
};

unsigned modlink_classify_decl (tree fndecl);
unsigned modlink_classify_call (rtx_insn *insn);

/* ppc64: does this call read the TOC save slot back (a paired call,
   unless static, or a reload-toc call)?  */
bool modlink_call_reads_toc_slot (rtx_insn *insn);

/* The callee of a call insn: the SYMBOL_REF in its REG_CALL_DECL note
   (which the call-form pass adds to every call of ours), else the one in
   its address.  */
rtx modlink_call_symbol (rtx_insn *insn);

/* Helpers for the targets' call-form hooks.  */
/* Where a call insn's callee address sits: the location a hook replaces
   with a SYMBOL_REF.  */
rtx *modlink_call_address_loc (rtx_insn *insn);
/* Is the callee a SYMBOL_REF (a direct call), not a register?  */
bool modlink_call_is_direct (rtx_insn *insn);
/* Once CALL no longer reads the address register REG: delete the load
   into REG in CALL's block, if it has no side effects and nothing else
   reads REG (at -O0 nothing else would delete it).  */
void modlink_delete_address_load (rtx_insn *call, rtx reg);

/* The GIMPLE pass that lowers modlink_defer (defer-lowering.cc).  */
opt_pass *make_modlink_defer_pass (void);

/* Per-target hooks.  Null members mean "nothing to do on this target".  */
struct modlink_target
{
  const char *name;

  /* GIMPLE, before expand: make GCC expand the paired or reload-toc
     call STMT as a direct call (for example despite -fno-plt).  */
  void (*force_direct_call) (gcall *stmt);

  /* GIMPLE: can the options of this unit give a paired call a form
     that is safe to re-execute at all?  NULL: yes.  */
  bool (*pairing_possible) (void);

  /* RTL, right after expand: put the paired call INSN in the one form
     whose re-execution after a rewind is safe on this target.  */
  void (*canonicalize_call_early) (rtx_insn *insn);

  /* RTL, after reload: the same check where register allocation may
     have changed the form; returns false if the form cannot be fixed.  */
  bool (*canonicalize_call_late) (rtx_insn *insn);

  /* RTL, right after the prologue was generated: store the TOC pointer
     in the function's own frame, after PROLOGUE_END, where the frame
     exists.  Called for functions with a call that reads the slot back
     (toc-save=auto) or with any non-sibling call (toc-save=all).  */
  void (*emit_toc_save) (rtx_insn *prologue_end);

  /* RTL, late: emit the instructions of the pairing immediately before
     the paired call INSN.  */
  void (*emit_pairing) (rtx_insn *insn);

  /* RTL, late: emit the TOC reload right after the reload-toc call INSN.  */
  void (*emit_reload_after) (rtx_insn *insn);

  /* How many instructions the pairing puts before the call.  */
  int pairing_length;
};

extern const struct modlink_target modlink_target_hooks;

#endif
