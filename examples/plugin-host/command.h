/* A command, as any module contributes them:
 *
 *   static const struct command sum = {"sum", "N...", "add integers", run_sum};
 *   MODLINK_ENTRY("command", &sum);
 *
 * The host finds the commands of every loaded module with
 * modlink_foreach_entry("command", ...). */
#ifndef PLUGIN_HOST_COMMAND_H
#define PLUGIN_HOST_COMMAND_H
struct command {
  const char *name;
  const char *args;
  const char *help;
  int (*run)(int argc, char **argv); /* 0 on success */
};
#endif
