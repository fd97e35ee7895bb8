/* modlink.h: the one public header of the modlink runtime.
 *
 * Module registry: every module (executable, PIE, shared object) built by
 * modlink-cc registers itself from .init_array before its own constructors
 * run, and deregisters from .fini_array after its own destructors ran
 * (dlclose included).  The module that contains the runtime is registered
 * statically, without an init function.
 *
 * Link with -lmodlink; modlink-cc adds the include path and the library. */
#ifndef MODLINK_H
#define MODLINK_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define MODLINK_API __attribute__((visibility("default")))
#else
#define MODLINK_API
#endif

/* A registered module.  Opaque; valid until the module deregisters. */
struct modlink_module;

/* modlink_module_count, modlink_find_module and the three accessors below
   are async-signal-safe. */
MODLINK_API size_t modlink_module_count(void);

/* Calls fn for every registered module, in registration order.  Stops at,
   and returns, the first non-zero result of fn; returns 0 otherwise, or -1
   with errno ENOMEM when callbacks nest so deep that the runtime cannot
   record one more (more than 8 levels, and no memory).  The module handed
   to fn stays mapped while fn runs: a dlclose of it in another thread
   waits for fn to return (holding the dynamic loader's lock, as glibc's
   dl_iterate_phdr does with its callbacks). */
MODLINK_API int modlink_foreach_module(
    int (*fn)(const struct modlink_module *m, void *ctx), void *ctx);

/* The module whose text, read-only data (.rodata) or writable data holds
   addr, or NULL.  Lock-free, O(log n). */
MODLINK_API const struct modlink_module *modlink_find_module(const void *addr);

/* Basename of the module's output file, e.g. "libfoo.so".  For a null m,
   NULL here and [0, 0) below. */
MODLINK_API const char *modlink_module_name(const struct modlink_module *m);

/* The module's text, and its writable data + bss, as [start, end). */
MODLINK_API void modlink_module_text(const struct modlink_module *m,
                                     uintptr_t *start, uintptr_t *end);
MODLINK_API void modlink_module_data(const struct modlink_module *m,
                                     uintptr_t *start, uintptr_t *end);

/* Entries collected across every loaded module.
 *
 *   MODLINK_ENTRY("codec", &my_codec);     at file scope
 *
 * "kind" is a string literal, value a constant address expression.  The
 * entry lives in the module's .modlink_entries section, which the ld
 * fragment keeps (also under --gc-sections and -z start-stop-gc).
 * modlink_foreach_entry visits the modules in registration order, a
 * module's files in link order, and a file's entries in the order they
 * are written.  Returns as modlink_foreach_module does. */
MODLINK_API int modlink_foreach_entry(const char *kind,
    int (*fn)(const struct modlink_module *m, const void *value, void *ctx),
    void *ctx);

/* Module arrivals and departures: fn is called at once for every module
   already registered (loaded=1), then for each later registration (1) and
   deregistration (0).  A departure is reported while the module is still
   mapped and still found by modlink_find_module.  A listener whose code
   lives in a module is dropped when that module deregisters.  Returns 0,
   or -1 with errno set (EINVAL for a null fn, ENOMEM). */
MODLINK_API int modlink_on_change(
    void (*fn)(const struct modlink_module *m, int loaded, void *ctx),
    void *ctx);

/* The module of the calling code: every module built by modlink-cc defines
   the hidden object __modlink_moduledata (its module data).  NULL when the
   calling module was not built by modlink-cc or was refused. */
extern const char __modlink_moduledata[]
    __attribute__((visibility("hidden"), weak));
static inline const struct modlink_module *modlink_self(void)
{
  return __modlink_moduledata ? modlink_find_module(__modlink_moduledata) : 0;
}

/* Go-style defer.  In a function F that calls modlink_defer, every normal
 * return of F first runs F's pending deferred calls, last deferred first,
 * and keeps F's return value.  Deferring inside loops is allowed; the
 * calls run when F returns, not when the enclosing block ends.  State is
 * per thread.  exit() and longjmp out of F skip F's pending calls and
 * leave the runtime consistent for the frames that remain.  A C++
 * exception that unwinds through F (C++, or C compiled with -fexceptions)
 * runs F's pending calls, last deferred first, as destructors run.
 *
 * It needs the modlink GCC plugin (modlink-cc loads it; C and C++); the
 * plugin defines __MODLINK__.  Without it, a call to modlink_defer is a
 * compile error.  The plugin open-codes the defers of F where it can (no
 * defer in a loop: frame slots and a bit mask, no runtime call), and
 * otherwise lowers each call to the runtime and inserts
 * modlink_deferreturn at F's returns.  It refuses what it cannot lower
 * with one line naming the function: setjmp and other returns-twice
 * calls, non-local goto targets, __builtin_return, naked functions and
 * -fsplit-stack.
 *
 * modlink_deferreturn is the plugin's to call: it runs the pending calls of
 * the function whose return it sits at by rewinding return addresses (see
 * docs/design.md), which is why CET shadow stacks must stay off.  A call
 * written by hand runs nothing. */
#if defined(__MODLINK__) || !defined(__GNUC__)
#define MODLINK_NEEDS_PLUGIN__
#elif defined(__clang__)
#define MODLINK_NEEDS_PLUGIN__ __attribute__((unavailable(                    \
    "modlink_defer needs the modlink GCC plugin: compile with modlink-cc")))
#else
#define MODLINK_NEEDS_PLUGIN__ __attribute__((__error__(                      \
    "modlink_defer needs the modlink GCC plugin: compile with modlink-cc")))
#endif
MODLINK_API void modlink_defer(void (*fn)(void *), void *arg)
    MODLINK_NEEDS_PLUGIN__;
MODLINK_API void modlink_deferreturn(void);

/* Implementation of MODLINK_ENTRY.  The layout is part of the module ABI
   (version 1): the runtime reads these pairs between the module's
   __modlink_entries_start and __modlink_entries_end. */
struct modlink_entry__ {
  const char *kind;
  const void *value;
};
#define MODLINK_CAT2__(a, b) a##b
#define MODLINK_CAT__(a, b) MODLINK_CAT2__(a, b)
/* retain: kept under --gc-sections -z start-stop-gc.  no_reorder: a
   file's entries stay in the order they are written at every -O level
   (GCC otherwise emits them in reverse from -O1 on). */
#if defined(__has_attribute)
#if __has_attribute(retain)
#define MODLINK_RETAIN__ __attribute__((retain))
#endif
#if __has_attribute(no_reorder)
#define MODLINK_NO_REORDER__ __attribute__((no_reorder))
#endif
#endif
#ifndef MODLINK_RETAIN__
#define MODLINK_RETAIN__
#endif
#ifndef MODLINK_NO_REORDER__
#define MODLINK_NO_REORDER__
#endif
#define MODLINK_ENTRY(kind, value) __extension__                              \
  static const struct modlink_entry__ MODLINK_CAT__(modlink_entry_,           \
                                                    __COUNTER__)              \
      __attribute__((used, section(".modlink_entries"),                       \
                     aligned(sizeof(void *)))) MODLINK_RETAIN__               \
      MODLINK_NO_REORDER__ = {                                                \
          "" kind "", (const void *)(value)}

#ifdef __cplusplus
}
#endif
#endif /* MODLINK_H */
