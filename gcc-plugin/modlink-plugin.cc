/* modlink GCC plugin: call-site pairing, TOC save and reload, and the
   lowering of modlink_defer (defer-lowering.cc).

   A call to a "paired" symbol (modlink_deferreturn by default) may be
   re-executed: the runtime rewinds the return address of a deferred
   function to the call site, as Go's jmpdefer did.  The plugin gives every
   such call a fixed shape, with nothing between its parts:

     x86_64, i386          nop ; call SYM
     ppc64le (TOC)         nop ; ld 2,24(1) ; bl SYM      (std 2,24(1) after
                                                          the frame exists)
     ppc64le static/pcrel  nop ; nop ; bl SYM

   and never lets it become a tail call.  A call to a "reload-toc" symbol
   is followed by ld 2,24(1) on ppc64le.  What differs per architecture is
   in target-<arch>.cc behind struct modlink_target.

   Usage:
     gcc -fplugin=<prefix>/lib/modlink/<triple>/modlink.so \
         [-fplugin-arg-modlink-KEY[=VALUE]] ...
   with KEY one of deferreturn=SYM[:SYM...], reload-toc=SYM[:SYM...],
   toc-save=auto|all|none, static, defer=on|off, open-coded=on|off,
   verbose.

   Debugging:
     -fplugin-arg-modlink-verbose   one line per changed function on stderr
     -fdump-passes                  where the six passes sit (plugin_init)
     -fdump-tree-all -fdump-rtl-all dumps after each pass, in files named
                                    *.modlink_defer, *.modlink_calls,
                                    *.modlink_call_form,
                                    *.modlink_toc_save, *.modlink_pairing and
                                    *.modlink_cfi (GCC parses -fdump-<pass>
                                    before plugins register passes, so only
                                    the "all" forms reach them)
     gdb --args $(gcc -print-prog-name=cc1) -fplugin=... file.c  */

#include "modlink-plugin.h"

int plugin_is_GPL_compatible;

static struct plugin_info modlink_plugin_info = {
  "1",
  "modlink: pairs calls to deferreturn-like symbols for return-address\n"
  "rewinding, saves and reloads the ppc64 TOC pointer.\n"
  "  -fplugin-arg-modlink-deferreturn=SYM[:SYM...]  paired symbols\n"
  "                                    (default modlink_deferreturn)\n"
  "  -fplugin-arg-modlink-reload-toc=SYM[:SYM...]   ld 2,24(1) after calls\n"
  "  -fplugin-arg-modlink-toc-save=auto|all|none    ppc64 TOC save (auto)\n"
  "  -fplugin-arg-modlink-static       fully static program: pair with nops\n"
  "  -fplugin-arg-modlink-defer=on|off lowering of modlink_defer (on)\n"
  "  -fplugin-arg-modlink-open-coded=on|off  open-code the defers of a\n"
  "                                    function where it can (on)\n"
  "  -fplugin-arg-modlink-verbose      one line per changed function\n"
};

/* The interface version, predefined as __MODLINK__.  */
#define MODLINK_INTERFACE_VERSION "1"

#define DEFAULT_DEFERRETURN "modlink_deferreturn"

struct modlink_options modlink_opts;

/* ------------------------------------------------------------------ */
/* Options.                                                           */

static const char *plugin_name;

/* "-fplugin-arg-modlink-KEY[=VALUE]", as the user wrote it.  Only built
   for an error message, so it is never freed.  */
static const char *
whole_option (const plugin_argument *arg)
{
  return concat ("-fplugin-arg-", plugin_name, "-", arg->key,
		 arg->value ? "=" : "", arg->value ? arg->value : "", NULL);
}

static bool
valid_symbol_name_p (const char *s, size_t len)
{
  if (len == 0 || ISDIGIT (s[0]))
    return false;
  for (size_t i = 0; i < len; i++)
    if (!ISALNUM (s[i]) && s[i] != '_' && s[i] != '.' && s[i] != '$')
      return false;
  return true;
}

/* Parse "SYM[:SYM...]" into *OUT; false if any element is malformed.  */
static bool
parse_symbol_list (const char *value, vec<const char *> *out)
{
  out->release ();
  for (const char *p = value;; )
    {
      const char *end = strchr (p, ':');
      size_t len = end ? (size_t) (end - p) : strlen (p);
      if (!valid_symbol_name_p (p, len))
	return false;
      out->safe_push (xstrndup (p, len));
      if (!end)
	return true;
      p = end + 1;
    }
}

static bool
parse_on_off (const char *value, bool *out)
{
  if (!strcmp (value, "on"))
    *out = true;
  else if (!strcmp (value, "off"))
    *out = false;
  else
    return false;
  return true;
}

static bool
parse_toc_save (const char *value, enum modlink_toc_save *out)
{
  if (!strcmp (value, "auto"))
    *out = TOC_SAVE_AUTO;
  else if (!strcmp (value, "all"))
    *out = TOC_SAVE_ALL;
  else if (!strcmp (value, "none"))
    *out = TOC_SAVE_NONE;
  else
    return false;
  return true;
}

/* One loop over the arguments; the last occurrence of a key wins, as
   with gcc's own options.  Returns false after reporting an error.  */
static bool
parse_plugin_arguments (int argc, const plugin_argument *argv)
{
  bool ok = true;

  modlink_opts.deferreturn.safe_push (DEFAULT_DEFERRETURN);
  modlink_opts.toc_save = TOC_SAVE_AUTO;
  modlink_opts.defer = true;
  modlink_opts.open_coded = true;

  for (int i = 0; i < argc; i++)
    {
      const char *key = argv[i].key;
      const char *value = argv[i].value;
      bool takes_value = (!strcmp (key, "deferreturn")
			  || !strcmp (key, "reload-toc")
			  || !strcmp (key, "toc-save")
			  || !strcmp (key, "defer")
			  || !strcmp (key, "open-coded"));
      bool is_flag = !strcmp (key, "static") || !strcmp (key, "verbose");

      if (!takes_value && !is_flag)
	{
	  error ("unknown option '%s'", whole_option (&argv[i]));
	  ok = false;
	}
      else if (is_flag && value)
	{
	  error ("option '%s' takes no value", whole_option (&argv[i]));
	  ok = false;
	}
      else if (takes_value && (!value || !*value))
	{
	  error ("missing value in '%s'", whole_option (&argv[i]));
	  ok = false;
	}
      else if (!strcmp (key, "deferreturn")
	       && !parse_symbol_list (value, &modlink_opts.deferreturn))
	{
	  error ("invalid symbol list in '%s'", whole_option (&argv[i]));
	  ok = false;
	}
      else if (!strcmp (key, "reload-toc")
	       && !parse_symbol_list (value, &modlink_opts.reload_toc))
	{
	  error ("invalid symbol list in '%s'", whole_option (&argv[i]));
	  ok = false;
	}
      else if (!strcmp (key, "toc-save")
	       && !parse_toc_save (value, &modlink_opts.toc_save))
	{
	  error ("invalid value in '%s'; expected 'auto', 'all' or 'none'",
		 whole_option (&argv[i]));
	  ok = false;
	}
      else if (!strcmp (key, "defer")
	       && !parse_on_off (value, &modlink_opts.defer))
	{
	  error ("invalid value in '%s'; expected 'on' or 'off'",
		 whole_option (&argv[i]));
	  ok = false;
	}
      else if (!strcmp (key, "open-coded")
	       && !parse_on_off (value, &modlink_opts.open_coded))
	{
	  error ("invalid value in '%s'; expected 'on' or 'off'",
		 whole_option (&argv[i]));
	  ok = false;
	}
      else if (!strcmp (key, "static"))
	modlink_opts.static_link = true;
      else if (!strcmp (key, "verbose"))
	modlink_opts.verbose = true;
    }
  return ok;
}

/* ------------------------------------------------------------------ */
/* Which calls are ours.                                              */

static bool
symbol_in_list_p (const char *name, const vec<const char *> &list)
{
  for (const char *sym : list)
    if (!strcmp (name, sym))
      return true;
  return false;
}

static unsigned
classify_name (const char *name)
{
  name = targetm.strip_name_encoding (name);
  unsigned flags = 0;
  if (symbol_in_list_p (name, modlink_opts.deferreturn)
      || (modlink_opts.defer && !strcmp (name, DEFAULT_DEFERRETURN)))
    flags |= CALL_PAIRED;
  if (symbol_in_list_p (name, modlink_opts.reload_toc))
    flags |= CALL_RELOAD_TOC;
  return flags;
}

unsigned
modlink_classify_decl (tree fndecl)
{
  if (!fndecl || TREE_CODE (fndecl) != FUNCTION_DECL)
    return 0;
  unsigned flags = 0;
  if (lookup_attribute ("modlink_deferreturn", DECL_ATTRIBUTES (fndecl)))
    flags |= CALL_PAIRED;
  if (lookup_attribute ("modlink_reload_toc", DECL_ATTRIBUTES (fndecl)))
    flags |= CALL_RELOAD_TOC;
  if (DECL_ASSEMBLER_NAME_SET_P (fndecl) || DECL_NAME (fndecl))
    flags |= classify_name (IDENTIFIER_POINTER (DECL_ASSEMBLER_NAME (fndecl)));
  return flags;
}

/* The SYMBOL_REF a call insn calls, wherever it sits in the address:
   bare (call SYM), or inside a GOT load (call *SYM@GOTPCREL(%rip)).
   Where expand put the address in a register (aarch64 -fno-plt: "blr
   xN"), the call's MEM still names the function it was expanded for.  */
static rtx
symbol_in_call_address (rtx_insn *insn)
{
  rtx call = get_call_rtx_from (insn);
  if (!call)
    return NULL_RTX;
  subrtx_iterator::array_type array;
  FOR_EACH_SUBRTX (iter, array, XEXP (XEXP (call, 0), 0), ALL)
    if (SYMBOL_REF_P (*iter))
      return CONST_CAST_RTX (*iter);
  tree fndecl = MEM_EXPR (XEXP (call, 0));
  if (fndecl && TREE_CODE (fndecl) == FUNCTION_DECL && DECL_RTL_SET_P (fndecl)
      && MEM_P (DECL_RTL (fndecl)) && SYMBOL_REF_P (XEXP (DECL_RTL (fndecl), 0)))
    return XEXP (DECL_RTL (fndecl), 0);
  return NULL_RTX;
}

/* The REG_CALL_DECL note says what a call insn calls even once its address
   is a register.  Expand adds it only for -fipa-ra (-O2 and up); the
   call-form pass adds it to every paired and reload-toc call, before any
   pass can hoist a GOT load out of the call.  */
rtx
modlink_call_symbol (rtx_insn *insn)
{
  rtx note = find_reg_note (insn, REG_CALL_DECL, NULL_RTX);
  if (note && XEXP (note, 0) && SYMBOL_REF_P (XEXP (note, 0)))
    return XEXP (note, 0);
  return symbol_in_call_address (insn);
}

/* Where a call insn's callee address sits in its CALL rtx.  */
rtx *
modlink_call_address_loc (rtx_insn *insn)
{
  return &XEXP (XEXP (get_call_rtx_from (insn), 0), 0);
}

/* "bl SYM" (or the target's equivalent): the callee is a SYMBOL_REF, not
   a register that a rewound call would find clobbered.  */
bool
modlink_call_is_direct (rtx_insn *insn)
{
  rtx call = get_call_rtx_from (insn);
  return call && SYMBOL_REF_P (XEXP (XEXP (call, 0), 0));
}

/* REG, set only by DEF, is used by nothing else than CALL.  */
static bool
only_use_p (rtx reg, rtx_insn *def, rtx_insn *call)
{
  for (rtx_insn *insn = get_insns (); insn; insn = NEXT_INSN (insn))
    if (insn != def && insn != call && INSN_P (insn)
	&& reg_mentioned_p (reg, PATTERN (insn)))
      return false;
  return true;
}

void
modlink_delete_address_load (rtx_insn *call, rtx reg)
{
  for (rtx_insn *def = PREV_INSN (call); def && !BARRIER_P (def)
       && !(NOTE_P (def) && NOTE_KIND (def) == NOTE_INSN_BASIC_BLOCK);
       def = PREV_INSN (def))
    {
      rtx set = INSN_P (def) ? single_set (def) : NULL_RTX;
      if (set && rtx_equal_p (SET_DEST (set), reg))
	{
	  if (!side_effects_p (set) && only_use_p (reg, def, call))
	    delete_insn (def);
	  return;
	}
      if (INSN_P (def) && reg_set_p (reg, def))
	return;
    }
}

static void
record_callee (rtx_insn *insn)
{
  if (!find_reg_note (insn, REG_CALL_DECL, NULL_RTX))
    add_reg_note (insn, REG_CALL_DECL, modlink_call_symbol (insn));
}

unsigned
modlink_classify_call (rtx_insn *insn)
{
  if (!CALL_P (insn))
    return 0;
  rtx sym = modlink_call_symbol (insn);
  if (!sym)
    return 0;
  if (SYMBOL_REF_DECL (sym))
    return modlink_classify_decl (SYMBOL_REF_DECL (sym));
  return classify_name (XSTR (sym, 0));
}

bool
modlink_call_reads_toc_slot (rtx_insn *insn)
{
  unsigned flags = modlink_classify_call (insn);
  return ((flags & CALL_RELOAD_TOC)
	  || ((flags & CALL_PAIRED) && !modlink_opts.static_link));
}

static const char *
call_symbol_name (rtx_insn *insn)
{
  return targetm.strip_name_encoding (XSTR (modlink_call_symbol (insn), 0));
}

/* ------------------------------------------------------------------ */
/* Attributes: __attribute__((modlink_deferreturn)) and                */
/* __attribute__((modlink_reload_toc)) on a function declaration.     */

/* A paired function defined in this unit must stay a real call to a
   symbol of that name: no inlining, no clones with other names.  */
static void
keep_as_real_call (tree fndecl)
{
  DECL_UNINLINABLE (fndecl) = 1;
  if (!lookup_attribute ("noipa", DECL_ATTRIBUTES (fndecl)))
    DECL_ATTRIBUTES (fndecl)
      = tree_cons (get_identifier ("noipa"), NULL_TREE,
		   DECL_ATTRIBUTES (fndecl));
}

static tree
handle_modlink_attribute (tree *node, tree name, tree, int, bool *no_add)
{
  if (TREE_CODE (*node) != FUNCTION_DECL)
    {
      error_at (DECL_P (*node) ? DECL_SOURCE_LOCATION (*node) : input_location,
		"'%s' attribute only applies to function declarations",
		IDENTIFIER_POINTER (name));
      *no_add = true;
      return NULL_TREE;
    }
  /* A paired call may run again after a rewind, with whatever the
     deferred function left in the argument and return registers.  */
  tree type = TREE_TYPE (*node);
  if (is_attribute_p ("modlink_deferreturn", name)
      && (!VOID_TYPE_P (TREE_TYPE (type))
	  || (prototype_p (type) && TYPE_ARG_TYPES (type) != void_list_node)))
    {
      const char *fn = IDENTIFIER_POINTER (DECL_NAME (*node));
      error_at (DECL_SOURCE_LOCATION (*node),
		"'%s' attribute on '%s', which is not 'void %s(void)'",
		IDENTIFIER_POINTER (name), fn, fn);
      *no_add = true;
      return NULL_TREE;
    }
  keep_as_real_call (*node);
  return NULL_TREE;
}

/* Not decl_required: GCC would only warn about a use on a type, and the
   handler makes every use on anything but a function declaration an
   error.  */
static struct attribute_spec modlink_deferreturn_attr = {
  "modlink_deferreturn", 0, 0, false, false, false, false,
  handle_modlink_attribute, NULL
};

static struct attribute_spec modlink_reload_toc_attr = {
  "modlink_reload_toc", 0, 0, false, false, false, false,
  handle_modlink_attribute, NULL
};

static void
register_attributes (void *, void *)
{
  register_attribute (&modlink_deferreturn_attr);
  register_attribute (&modlink_reload_toc_attr);
}

/* A function named by deferreturn= or reload-toc= and defined here.  */
static void
protect_named_definitions (void *gcc_data, void *)
{
  tree fndecl = (tree) gcc_data;
  /* Without forcing the C++ mangling this early (it would change the
     debug info of every function): C names are their symbols.  */
  tree id = (DECL_ASSEMBLER_NAME_SET_P (fndecl)
	     ? DECL_ASSEMBLER_NAME (fndecl) : DECL_NAME (fndecl));
  if (id && classify_name (IDENTIFIER_POINTER (id)))
    keep_as_real_call (fndecl);
}

/* __MODLINK__: modlink.h checks it before allowing modlink_defer.  The
   preprocessor exists in cc1 and cc1plus but not in lto1, which loads the
   plugin too under -flto: its symbols are weak so that lto1 can.

   PLUGIN_PRAGMAS comes before cpplib defines the builtins, so -D and -U
   of __MODLINK__ still win.  It also comes before there is a line map
   for the definition: cpplib's define callback, which records every
   #define for -g3 debug information (and prints it for -E -dD), would
   crash cc1 there, so it is left out for this one definition.  */
extern cpp_reader *parse_in __attribute__ ((weak));
extern void cpp_define (cpp_reader *, const char *) __attribute__ ((weak));
extern cpp_callbacks *cpp_get_callbacks (cpp_reader *) __attribute__ ((weak));

static void
define_modlink_macro (void *, void *)
{
  /* Already preprocessed input (.i, -save-temps) has its macros expanded,
     and there a #define would be read as a line marker.  */
  if (cpp_get_options (parse_in)->preprocessed)
    return;
  cpp_callbacks *cb = cpp_get_callbacks (parse_in);
  auto record_define = cb->define;
  cb->define = NULL;
  cpp_define (parse_in, "__MODLINK__=" MODLINK_INTERFACE_VERSION);
  cb->define = record_define;
}

/* ------------------------------------------------------------------ */
/* Pass 1 (GIMPLE, after "optimized"): a paired or reload-toc call     */
/* must come back to its call site, so it is never a tail call, and   */
/* the target may ask for a direct call (ppc64: bl, even -fno-plt).   */

static const pass_data modlink_calls_pass_data = {
  GIMPLE_PASS, "modlink_calls", OPTGROUP_NONE, TV_NONE,
  PROP_cfg, 0, 0, 0, 0
};

class modlink_calls_pass : public gimple_opt_pass
{
public:
  modlink_calls_pass () : gimple_opt_pass (modlink_calls_pass_data, g) {}
  opt_pass *clone () final override { return this; }
  unsigned int execute (function *fun) final override
  {
    basic_block bb;
    FOR_EACH_BB_FN (bb, fun)
      for (gimple_stmt_iterator gsi = gsi_start_bb (bb); !gsi_end_p (gsi);
	   gsi_next (&gsi))
	{
	  gcall *call = dyn_cast <gcall *> (gsi_stmt (gsi));
	  tree fndecl = call ? gimple_call_fndecl (call) : NULL_TREE;
	  unsigned flags = modlink_classify_decl (fndecl);
	  if (!flags)
	    continue;
	  /* Said here, where the callee is still known at every -O level:
	     at -O0 an indirect call in RTL no longer names it.  */
	  if ((flags & CALL_PAIRED) && modlink_target_hooks.pairing_possible
	      && !modlink_target_hooks.pairing_possible ())
	    error_at (gimple_location (call),
		      "modlink: cannot pair the call to '%s': unsupported "
		      "call form",
		      targetm.strip_name_encoding
			(IDENTIFIER_POINTER (DECL_ASSEMBLER_NAME (fndecl))));
	  gimple_call_set_tail (call, false);
	  gimple_call_set_must_tail (call, false);
	  if (modlink_target_hooks.force_direct_call)
	    modlink_target_hooks.force_direct_call (call);
	}
    return 0;
  }
};

/* ------------------------------------------------------------------ */
/* Pass 2 (RTL, after "expand"): record what each of our calls calls,  */
/* and put paired calls in the form that is safe to re-execute (i386  */
/* PIC: through the PLT with %ebx).                                   */

static const pass_data modlink_call_form_pass_data = {
  RTL_PASS, "modlink_call_form", OPTGROUP_NONE, TV_NONE,
  0, 0, 0, 0, 0
};

class modlink_call_form_pass : public rtl_opt_pass
{
public:
  modlink_call_form_pass ()
    : rtl_opt_pass (modlink_call_form_pass_data, g) {}
  opt_pass *clone () final override { return this; }
  unsigned int execute (function *) final override
  {
    for (rtx_insn *insn = get_insns (); insn; insn = NEXT_INSN (insn))
      {
	unsigned flags = modlink_classify_call (insn);
	if (!flags)
	  continue;
	record_callee (insn);
	if ((flags & CALL_PAIRED)
	    && modlink_target_hooks.canonicalize_call_early)
	  modlink_target_hooks.canonicalize_call_early (insn);
      }
    return 0;
  }
};

/* ------------------------------------------------------------------ */
/* Pass 3 (RTL, after "pro_and_epilogue"): ppc64 TOC save.  The     */
/* store goes right after the prologue, which allocated the frame and */
/* which shrink-wrapping placed on one edge dominating every call, so */
/* every call that reads 24(r1) back finds this function's own TOC.   */

static const pass_data modlink_toc_save_pass_data = {
  RTL_PASS, "modlink_toc_save", OPTGROUP_NONE, TV_NONE,
  0, 0, 0, 0, 0
};

static rtx_insn *
find_prologue_end (void)
{
  for (rtx_insn *insn = get_insns (); insn; insn = NEXT_INSN (insn))
    if (NOTE_P (insn) && NOTE_KIND (insn) == NOTE_INSN_PROLOGUE_END)
      return insn;
  return NULL;
}

class modlink_toc_save_pass : public rtl_opt_pass
{
public:
  modlink_toc_save_pass ()
    : rtl_opt_pass (modlink_toc_save_pass_data, g) {}
  opt_pass *clone () final override { return this; }
  bool gate (function *) final override
  {
    return (modlink_target_hooks.emit_toc_save != NULL
	    && modlink_opts.toc_save != TOC_SAVE_NONE);
  }
  unsigned int execute (function *fun) final override
  {
    bool any_call = false, needs_slot = false;
    for (rtx_insn *insn = get_insns (); insn; insn = NEXT_INSN (insn))
      {
	if (!CALL_P (insn) || SIBLING_CALL_P (insn))
	  continue;
	any_call = true;
	needs_slot |= modlink_call_reads_toc_slot (insn);
      }
    if (!needs_slot && !(any_call && modlink_opts.toc_save == TOC_SAVE_ALL))
      return 0;
    rtx_insn *prologue_end = find_prologue_end ();
    if (!prologue_end)
      error_at (DECL_SOURCE_LOCATION (fun->decl),
		"modlink: no prologue in '%s' to save the TOC pointer in",
		function_name (fun));
    else
      modlink_target_hooks.emit_toc_save (prologue_end);
    return 0;
  }
};

/* ------------------------------------------------------------------ */
/* Pass 4 (RTL, before "shorten"): emit the pairing and the reloads.   */
/* This late, no pass is left that schedules, deletes or moves insns, */
/* so what is emitted right before the call stays right before it,   */
/* and instruction lengths are still computed by shorten_branches.   */
/* The machine-dependent reorg ran before: arm placed its literal    */
/* pools without the pairing, which the assembler then reports if a  */
/* load ends up out of range, never silently.  Pass 5 checks that    */
/* nothing landed inside a pairing.                                   */

/* The instructions the pairing pass emitted in the current function,
   which the CFI pass finds again right before their calls.  */
static hash_set<rtx_insn *> *pairing_insns;

static const pass_data modlink_pairing_pass_data = {
  RTL_PASS, "modlink_pairing", OPTGROUP_NONE, TV_NONE,
  0, 0, 0, 0, 0
};

class modlink_pairing_pass : public rtl_opt_pass
{
public:
  modlink_pairing_pass ()
    : rtl_opt_pass (modlink_pairing_pass_data, g) {}
  opt_pass *clone () final override { return this; }
  unsigned int execute (function *fun) final override
  {
    if (!pairing_insns)
      pairing_insns = new hash_set<rtx_insn *>;
    pairing_insns->empty ();
    unsigned paired = 0, reloads = 0;
    for (rtx_insn *insn = get_insns (); insn; insn = NEXT_INSN (insn))
      {
	unsigned flags = modlink_classify_call (insn);
	if (!flags)
	  continue;
	if (SIBLING_CALL_P (insn))
	  {
	    error_at (INSN_LOCATION (insn),
		      "modlink: the call to '%s' became a tail call",
		      call_symbol_name (insn));
	    continue;
	  }
	if (flags & CALL_PAIRED)
	  {
	    if (modlink_target_hooks.canonicalize_call_late
		&& !modlink_target_hooks.canonicalize_call_late (insn))
	      error_at (INSN_LOCATION (insn),
			"modlink: cannot pair the call to '%s': unsupported "
			"call form", call_symbol_name (insn));
	    rtx_insn *before = PREV_INSN (insn);
	    modlink_target_hooks.emit_pairing (insn);
	    for (rtx_insn *p = PREV_INSN (insn); p != before; p = PREV_INSN (p))
	      pairing_insns->add (p);
	    paired++;
	  }
	if ((flags & CALL_RELOAD_TOC) && modlink_target_hooks.emit_reload_after)
	  {
	    modlink_target_hooks.emit_reload_after (insn);
	    reloads++;
	  }
      }
    if (modlink_opts.verbose && (paired || reloads))
      fprintf (stderr, "modlink: %s: %u paired call%s, %u toc reload%s\n",
	       function_name (fun), paired, paired == 1 ? "" : "s",
	       reloads, reloads == 1 ? "" : "s");
    return 0;
  }
};

/* ------------------------------------------------------------------ */
/* Pass 5 (RTL, after "dwarf2"): the CFI of the pairing, and a check   */
/* that nothing came between a pairing and its call.  dwarf2cfi       */
/* puts a change of the CFA or of DW_CFA_GNU_args_size right before   */
/* the call that needs it, that is between the pairing and the call.  */
/* The nop exists so that "return address - 1" of a rewound frame     */
/* unwinds exactly like the call, so such notes move above it.        */

static const pass_data modlink_cfi_pass_data = {
  RTL_PASS, "modlink_cfi", OPTGROUP_NONE, TV_NONE,
  0, 0, 0, 0, 0
};

static bool
cfi_note_p (rtx_insn *insn)
{
  return (NOTE_P (insn) && (NOTE_KIND (insn) == NOTE_INSN_CFI
			    || NOTE_KIND (insn) == NOTE_INSN_CFI_LABEL));
}

static void
hoist_cfi_above_pairing (rtx_insn *call)
{
  auto_vec<rtx_insn *> notes;
  rtx_insn *first = call;
  for (int seen = 0; seen < modlink_target_hooks.pairing_length; )
    {
      first = PREV_INSN (first);
      if (!first)
	return;
      if (cfi_note_p (first))
	notes.safe_push (first);
      else if (NONDEBUG_INSN_P (first))
	seen++;
    }
  /* NOTES runs from the call upwards: move the earliest first.  */
  for (unsigned i = notes.length (); i-- > 0; )
    reorder_insns_nobb (notes[i], notes[i], PREV_INSN (first));
}

/* Are the PAIRING_LENGTH instructions right before CALL the ones the
   pairing pass emitted for it, with no label, barrier or other
   instruction among them?  No pass of GCC 12 to 16 that runs after the
   pairing pass is known to insert one, but a backend's late pass could
   (a literal pool, a BTI landing pad, alignment padding); the rewind
   would then land on it, so that is an error, never a silent
   miscompilation.  */
static bool
pairing_intact_p (rtx_insn *call)
{
  rtx_insn *p = call;
  for (int seen = 0; seen < modlink_target_hooks.pairing_length; )
    {
      p = PREV_INSN (p);
      if (!p || LABEL_P (p) || BARRIER_P (p))
	return false;
      if (!NONDEBUG_INSN_P (p))
	continue;
      if (!pairing_insns || !pairing_insns->contains (p))
	return false;
      seen++;
    }
  return true;
}

class modlink_cfi_pass : public rtl_opt_pass
{
public:
  modlink_cfi_pass () : rtl_opt_pass (modlink_cfi_pass_data, g) {}
  opt_pass *clone () final override { return this; }
  unsigned int execute (function *) final override
  {
    for (rtx_insn *insn = get_insns (); insn; insn = NEXT_INSN (insn))
      if (modlink_classify_call (insn) & CALL_PAIRED)
	{
	  hoist_cfi_above_pairing (insn);
	  if (!SIBLING_CALL_P (insn) && !pairing_intact_p (insn))
	    error_at (INSN_LOCATION (insn),
		      "modlink: the pairing of the call to '%s' was separated "
		      "from the call", call_symbol_name (insn));
	}
    return 0;
  }
};

/* ------------------------------------------------------------------ */

int
plugin_init (struct plugin_name_args *info, struct plugin_gcc_version *version)
{
  if (!plugin_default_version_check (version, &gcc_version))
    {
      error ("incompatible gcc/plugin versions");
      return 1;
    }

  plugin_name = info->base_name;
  if (!parse_plugin_arguments (info->argc, info->argv))
    return 0;	/* The errors fail the compilation.  */

  /* Every pass position, with its reference pass, in one place.  */
  struct register_pass_info passes[] = {
    { make_modlink_defer_pass (), "lower", 1, PASS_POS_INSERT_AFTER },
    { new modlink_calls_pass (), "optimized", 1, PASS_POS_INSERT_AFTER },
    { new modlink_call_form_pass (), "expand", 1, PASS_POS_INSERT_AFTER },
    { new modlink_toc_save_pass (), "pro_and_epilogue", 1,
      PASS_POS_INSERT_AFTER },
    { new modlink_pairing_pass (), "shorten", 1, PASS_POS_INSERT_BEFORE },
    { new modlink_cfi_pass (), "dwarf2", 1, PASS_POS_INSERT_AFTER },
  };

  register_callback (plugin_name, PLUGIN_INFO, NULL, &modlink_plugin_info);
  register_callback (plugin_name, PLUGIN_ATTRIBUTES, register_attributes,
		     NULL);
  register_callback (plugin_name, PLUGIN_PRAGMAS, define_modlink_macro, NULL);
  register_callback (plugin_name, PLUGIN_PRE_GENERICIZE,
		     protect_named_definitions, NULL);
  for (auto &pass : passes)
    register_callback (plugin_name, PLUGIN_PASS_MANAGER_SETUP, NULL, &pass);
  return 0;
}
