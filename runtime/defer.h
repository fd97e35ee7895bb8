/* The interface between the defer runtime in C (defer.c) and its assembly
 * entry point, modlink_deferreturn (runtime-asm/<arch>/deferreturn.S). */
#ifndef MODLINK_DEFER_H
#define MODLINK_DEFER_H

#include <modlink.h>
#include <stddef.h>

#include "defer-record.h"

/* The next deferred call to jump to, laid out as defer-record.h says. */
struct modlink__deferred {
  void (*fn)(void *); /* MODLINK_DEFERRED_FN */
  void *arg;          /* MODLINK_DEFERRED_ARG */
  uintptr_t last;     /* MODLINK_DEFERRED_LAST: 1 = do not rewind */
};

/* The assembly reads each field as one word at its offset. */
#define MODLINK__DEFERRED_AT(field, offset)                                  \
  _Static_assert(offsetof(struct modlink__deferred, field) == (offset) &&   \
                     sizeof(((struct modlink__deferred *)0)->field) ==      \
                         __SIZEOF_POINTER__,                                \
                 "struct modlink__deferred: '" #field "' is not the word "  \
                 "at " #offset " that deferreturn.S reads (defer-record.h)")
MODLINK__DEFERRED_AT(fn, MODLINK_DEFERRED_FN);
MODLINK__DEFERRED_AT(arg, MODLINK_DEFERRED_ARG);
MODLINK__DEFERRED_AT(last, MODLINK_DEFERRED_LAST);
_Static_assert(sizeof(struct modlink__deferred) == MODLINK_DEFERRED_SIZE,
               "struct modlink__deferred has fields defer-record.h does not name");

/* The lowered form of modlink_defer(fn, arg), called by plugin-compiled
   code with the deferring activation's frame word. */
MODLINK_API void modlink__defer(uintptr_t *frame_word, void (*fn)(void *),
                                void *arg);

/* Called by the exception cleanup of a deferring function when one of
   its deferred calls throws while an exception unwinds. */
MODLINK_API void modlink__terminate(void) __attribute__((noreturn));

/* Called by modlink_deferreturn on every entry, first or rewound, with the
   argument it received (the frame word's address, valid on the first entry
   only), its return address, the stack pointer of the paired call, and
   whether a deferred function may return straight to that return address
   (each runtime-asm/<arch>/deferreturn.S says what these are there: for
   example, where code keeps a TOC, only when the instruction at the return
   address restores it).  Returns the
   next call of the deferring activation, or NULL when it has none left;
   "last" says that it is F's last and must run without a rewind.  The
   result is valid until the thread's next call into the runtime. */
const struct modlink__deferred *
modlink__deferreturn_next(uintptr_t *frame_word, uintptr_t ret, uintptr_t sp,
                          int may_return_past)
    __attribute__((visibility("hidden")));

#endif
