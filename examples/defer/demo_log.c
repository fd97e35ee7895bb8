/* A deferred function that lives in another shared object: on ppc64le it
   returns to the deferring function with this module's TOC in r2, and the
   pairing's "ld 2,24(1)" puts the caller's back. */
#include <stdio.h>

#include "demo_log.h"

static int count;

void demo_log(void *message)
{
  printf("    log #%d: %s\n", ++count, (const char *)message);
}

int demo_log_count(void) { return count; }
