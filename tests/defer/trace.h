/* What ran, in order: the trace the defer semantics tests (C and C++)
   compare against the order they expect. */
#ifndef DEFER_TRACE_H
#define DEFER_TRACE_H
#include <string.h>

#include "check.h"

static char trace[256];
static size_t trace_len;

static void trace_reset(void) { trace_len = 0; trace[0] = 0; }

/* Appends the string S; a deferred function's signature. */
static void note(void *s)
{
  size_t n = strlen((const char *)s);
  if (trace_len + n < sizeof trace) {
    memcpy(trace + trace_len, s, n + 1);
    trace_len += n;
  }
}

#define EXPECT_TRACE(call, expected)                                          \
  do {                                                                        \
    trace_reset();                                                            \
    call;                                                                     \
    CHECK_STR(trace, expected);                                               \
  } while (0)
#endif
