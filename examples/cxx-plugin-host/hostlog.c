/* The C half of libpluginapi.so: a mixed C and C++ shared object. */
#include "hostlog.h"

#include <stdarg.h>
#include <stdio.h>

void hostlog(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  fputs("  ", stdout);
  vprintf(fmt, ap);
  fputc('\n', stdout);
  va_end(ap);
}

void hostlog_end(void *message) { hostlog("(end of %s)", (const char *)message); }
