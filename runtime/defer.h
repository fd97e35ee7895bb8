/* The interface between the defer runtime in C (defer.c) and its assembly
 * entry point, modlink_deferreturn (runtime-asm/<arch>/deferreturn.S). */
#ifndef MODLINK_DEFER_H
#define MODLINK_DEFER_H

#include <modlink.h>

/* The next deferred call to jump to. */
struct modlink__deferred {
  void (*fn)(void *); /* offset 0 */
  void *arg;          /* offset sizeof(void *) */
  uintptr_t last;     /* offset 2 * sizeof(void *): 1 = do not rewind */
};

/* The lowered form of modlink_defer(fn, arg), called by plugin-compiled
   code with the deferring activation's frame word. */
MODLINK_API void modlink__defer(uintptr_t *frame_word, void (*fn)(void *),
                                void *arg);

/* Called by modlink_deferreturn on every entry, first or rewound, with the
   argument it received (the frame word's address, valid on the first entry
   only), its return address, the stack pointer of the paired call (the
   address just above the return address on x86, r1 on ppc64), and whether
   a deferred function may return straight to that return address (x86:
   always; ppc64: when the instruction there restores r2).  Returns the
   next call of the deferring activation, or NULL when it has none left;
   "last" says that it is F's last and must run without a rewind.  The
   result is valid until the thread's next call into the runtime. */
const struct modlink__deferred *
modlink__deferreturn_next(uintptr_t *frame_word, uintptr_t ret, uintptr_t sp,
                          int may_return_past)
    __attribute__((visibility("hidden")));

#endif
