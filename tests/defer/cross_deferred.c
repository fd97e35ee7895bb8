/* The deferred functions' module, with its own globals (and, on ppc64le,
   its own TOC, which it leaves in r2 when it returns to the rewound call
   site in the deferring module). */
#include <stdint.h>

#include "cross.h"

static unsigned long calls, sum, last;

void deferred_record(void *value)
{
  uintptr_t v = (uintptr_t)value;
  /* LIFO within a frame: each value is below the previous, or starts a
     new frame (larger). */
  calls++;
  sum += v;
  last = v;
}

unsigned long deferred_calls(void) { return calls; }
unsigned long deferred_sum(void) { return sum + (last & 0); }
