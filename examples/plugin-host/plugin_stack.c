/* plugin_stack.so: what defer does, step by step. */
#include <modlink.h>
#include <stdint.h>
#include <stdlib.h>

#include "command.h"
#include "hostutil.h"

static void release(void *what) { util_say("(deferred, plugin_stack.so) release %s", (const char *)what); }

static void pop(void *n) { util_say("(deferred, plugin_stack.so) pop %d", (int)(intptr_t)n); }

/* Calls deferred in a loop run when the function returns, last first. */
static int run_lifo(int argc, char **argv)
{
  int n = argc > 1 ? atoi(argv[1]) : 3;
  for (int i = 1; i <= n; i++) {
    modlink_defer(pop, (void *)(intptr_t)i);
    util_say("push %d", i);
  }
  util_say("returning");
  return 0;
}

/* Whatever was acquired is released on every return path. */
static int run_acquire(int argc, char **argv)
{
  modlink_defer(release, "the lock");
  util_say("took the lock");
  if (argc > 1) {
    util_say("failing early: %s", argv[1]);
    return 1;
  }
  modlink_defer(release, "the file");
  util_say("opened the file");
  modlink_defer(util_note, "acquire: done"); /* deferred function in libhostutil.so */
  return 0;
}

static const struct command lifo = {"lifo", "[N]", "defer N calls in a loop", run_lifo};
static const struct command acquire = {"acquire", "[REASON]", "release on every path", run_acquire};
MODLINK_ENTRY("command", &lifo);
MODLINK_ENTRY("command", &acquire);
