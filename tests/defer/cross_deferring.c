/* The deferring module: after every deferred call, code of this module
   reads and writes this module's globals, which on ppc64le it reaches
   through its own TOC, in r2.  The pairing's ld 2,24(1) is what puts that
   TOC back after a deferred function of another module returned. */
#include <modlink.h>
#include <stdint.h>

#include "cross.h"

static volatile unsigned long rounds_done, checksum = 17;
static const unsigned long weights[4] = {3, 5, 7, 11};
unsigned long deferring_visible = 1; /* through the GOT/TOC as well */

static void local_note(void *p) { checksum += (uintptr_t)p * weights[rounds_done & 3]; }

/* local_note runs last.  It is called with this module's TOC (a function
   pointer brings its own: ELFv2's global entry from r12, ELFv1's
   descriptor), and it returns straight to the instruction after the call
   to modlink_deferreturn, where the linker's TOC reload reads the slot the
   PLT stub wrote at the last rewound call.  Were it in the middle, a
   missing pairing reload could be undone by that reload after it. */
__attribute__((noinline)) static unsigned long defers(unsigned round)
{
  modlink_defer(local_note, (void *)(uintptr_t)round);
  modlink_defer(deferred_record, (void *)(uintptr_t)(round * 4 + 1));
  modlink_defer(deferred_record, (void *)(uintptr_t)(round * 4 + 2));
  modlink_defer(deferred_record, (void *)(uintptr_t)(round * 4 + 3));
  return weights[round & 3] + deferring_visible;
}

unsigned long deferring_run(unsigned rounds)
{
  for (unsigned r = 0; r < rounds; r++) {
    unsigned long w = defers(r);
    /* Back from a frame whose last code ran after libcross_deferred's. */
    rounds_done++;
    deferring_visible += w;
    checksum = checksum * 31 + weights[r & 3] + deferring_visible;
  }
  return checksum;
}
