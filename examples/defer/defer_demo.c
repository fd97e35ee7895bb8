/* Go-style defer in C: what a function acquires is released on every
 * return path, last acquired first, including by a function from another
 * module (libdemo_log.so); and defers in a loop run when the function
 * returns, not at the end of each iteration.
 *
 * Compile with the modlink plugin (modlink-cc does): it lowers each
 * modlink_defer and runs the pending calls at every return. */
#include <modlink.h>
#include <stdio.h>
#include <stdlib.h>

#include "demo_log.h"

static void release(void *what) { printf("    release %s\n", (const char *)what); }

static void free_buffer(void *buffer)
{
  printf("    free the buffer\n");
  free(buffer);
}

static int process(const char *name, int fail_at)
{
  printf("  process(\"%s\", fail_at=%d)\n", name, fail_at);
  char *buffer = malloc(64);
  if (!buffer)
    return -1;
  modlink_defer(free_buffer, buffer);
  modlink_defer(release, "the lock");
  modlink_defer(demo_log, (void *)name); /* in another module */
  if (fail_at == 1) {
    printf("    step 1 failed\n");
    return -1;
  }
  snprintf(buffer, 64, "%s: processed", name);
  modlink_defer(release, "the temporary file");
  if (fail_at == 2) {
    printf("    step 2 failed\n");
    return -2;
  }
  printf("    %s\n", buffer);
  return 0;
}

static int total;
static void add(void *n) { total += (int)(long)n; }

static int deferred_sum(int n)
{
  for (int i = 1; i <= n; i++)
    modlink_defer(add, (void *)(long)i);
  printf("  deferred_sum(%d) returns with total still %d\n", n, total);
  return n;
}

int main(void)
{
  int ok = process("first", 0) == 0;
  ok &= process("second", 1) == -1;
  ok &= process("third", 2) == -2;
  ok &= demo_log_count() == 3;
  ok &= deferred_sum(100) == 100;
  printf("  after deferred_sum: total %d\n", total);
  ok &= total == 5050;
  printf("defer demo: %s\n", ok ? "ok" : "FAILED");
  return !ok;
}
