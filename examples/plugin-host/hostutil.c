/* libhostutil.so: a shared library that the host and the plugins link. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostutil.h"

void util_say(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  fputs("    ", stdout);
  vprintf(fmt, ap);
  fputc('\n', stdout);
  va_end(ap);
}

struct util_buffer *util_buffer_new(void)
{
  struct util_buffer *b = calloc(1, sizeof *b);
  if (b && !(b->text = calloc(1, b->capacity = 16))) {
    free(b);
    b = NULL;
  }
  return b;
}

void util_buffer_append(struct util_buffer *b, const char *text)
{
  size_t n = strlen(text);
  if (b->length + n + 1 > b->capacity) {
    while (b->length + n + 1 > b->capacity)
      b->capacity *= 2;
    b->text = realloc(b->text, b->capacity);
  }
  memcpy(b->text + b->length, text, n + 1);
  b->length += n;
}

void util_buffer_free(void *buffer)
{
  struct util_buffer *b = buffer;
  util_say("(deferred, libhostutil.so) freed a buffer of %zu bytes", b->capacity);
  free(b->text);
  free(b);
}

void util_note(void *message) { util_say("(deferred, libhostutil.so) %s", (const char *)message); }
