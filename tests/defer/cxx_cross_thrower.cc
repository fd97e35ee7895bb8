// libcxx_thrower.so: throws for the others, and keeps the trace.
#include <cstring>

#include "cxx_cross.h"

static char trace[128];

void cross_note(void *text)
{
  size_t n = strlen(trace), m = strlen(static_cast<const char *>(text));
  if (n + m < sizeof trace)
    memcpy(trace + n, text, m + 1);
}

const char *cross_trace(void) { return trace; }
void cross_reset(void) { trace[0] = 0; }

void cross_throw(int code)
{
  cross_note(const_cast<char *>("t"));
  throw cross_error{code};
}
