/* libhostutil.so: what the host and its plugins share. */
#ifndef PLUGIN_HOST_UTIL_H
#define PLUGIN_HOST_UTIL_H
#include <stddef.h>

/* One line of command output, indented. */
void util_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A growing text buffer. */
struct util_buffer {
  char *text;
  size_t length, capacity;
};
struct util_buffer *util_buffer_new(void);
void util_buffer_append(struct util_buffer *b, const char *text);

/* For modlink_defer: they live in this module, and are deferred from the
   plugins' modules. */
void util_buffer_free(void *buffer); /* a struct util_buffer * */
void util_note(void *message);       /* a const char * */
#endif
