/* plugin_math.so: arithmetic commands. */
#include <modlink.h>
#include <stdlib.h>

#include "command.h"
#include "hostutil.h"

static int run_sum(int argc, char **argv)
{
  modlink_defer(util_note, "sum: done"); /* deferred function in libhostutil.so */
  long total = 0;
  for (int i = 1; i < argc; i++)
    total += strtol(argv[i], NULL, 10);
  util_say("%ld", total);
  return 0;
}

static int run_mean(int argc, char **argv)
{
  if (argc < 2) {
    util_say("mean: nothing to average");
    return 1;
  }
  double total = 0;
  for (int i = 1; i < argc; i++)
    total += strtod(argv[i], NULL);
  util_say("%.2f", total / (argc - 1));
  return 0;
}

static const struct command sum = {"sum", "N...", "add integers", run_sum};
static const struct command mean = {"mean", "X...", "average numbers", run_mean};
MODLINK_ENTRY("command", &sum);
MODLINK_ENTRY("command", &mean);
