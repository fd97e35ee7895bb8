/* plugin-host: a small command host.  It loads every plugin in a
 * directory, finds the commands that every loaded module contributes
 * (MODLINK_ENTRY("command", ...)), runs a script of them, tells which
 * module a function belongs to, and unloads and reloads a plugin.
 *
 *   host PLUGIN_DIR
 *
 * Every piece is built with modlink-cc: this PIE, libhostutil.so (linked)
 * and the plugins plugin_*.so (dlopened). */
#include <dirent.h>
#include <dlfcn.h>
#include <limits.h>
#include <modlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "hostutil.h"

#define MAX_PLUGINS 8

struct plugin {
  char name[256];
  char path[PATH_MAX];
  void *handle;
};

static struct plugin plugins[MAX_PLUGINS];
static int plugin_count;

static void heading(const char *text) { printf("\n== %s\n", text); }

/* ---- the host's own commands --------------------------------------- */

static int print_command(const struct modlink_module *m, const void *value, void *ctx)
{
  const struct command *c = value;
  (void)ctx;
  printf("  %-8s %-10s %-24s from %s\n", c->name, c->args, c->help, modlink_module_name(m));
  return 0;
}

static int run_help(int argc, char **argv)
{
  (void)argc;
  (void)argv;
  modlink_foreach_entry("command", print_command, NULL);
  return 0;
}

static int print_module(const struct modlink_module *m, void *ctx)
{
  uintptr_t start, end;
  (void)ctx;
  modlink_module_text(m, &start, &end);
  printf("  %-18s text %#lx-%#lx\n", modlink_module_name(m), (unsigned long)start, (unsigned long)end);
  return 0;
}

static int run_modules(int argc, char **argv)
{
  (void)argc;
  (void)argv;
  printf("  %zu modules, in registration order:\n", modlink_module_count());
  modlink_foreach_module(print_module, NULL);
  return 0;
}

static const struct command help = {"help", "", "list the commands", run_help};
static const struct command modules = {"modules", "", "list the modules", run_modules};
MODLINK_ENTRY("command", &help);
MODLINK_ENTRY("command", &modules);

/* ---- finding and running commands ---------------------------------- */

struct lookup {
  const char *name;
  const struct command *found;
  const struct modlink_module *module;
};

static int match_command(const struct modlink_module *m, const void *value, void *ctx)
{
  struct lookup *l = ctx;
  const struct command *c = value;
  if (strcmp(c->name, l->name) != 0)
    return 0;
  l->found = c;
  l->module = m;
  return 1;
}

static const struct command *find_command(const char *name)
{
  struct lookup l = {name, NULL, NULL};
  modlink_foreach_entry("command", match_command, &l);
  return l.found;
}

/* Runs "name arg..." (at most 8 words). */
static int run_line(const char *line)
{
  char buf[256], *argv[8];
  int argc = 0;
  snprintf(buf, sizeof buf, "%s", line);
  for (char *w = strtok(buf, " "); w && argc < 8; w = strtok(NULL, " "))
    argv[argc++] = w;
  printf("$ %s\n", line);
  const struct command *c = argc ? find_command(argv[0]) : NULL;
  if (!c) {
    printf("    no command '%s'\n", argc ? argv[0] : "");
    return 1;
  }
  int status = c->run(argc, argv);
  if (status)
    printf("    (exit status %d)\n", status);
  return status;
}

/* ---- plugins ------------------------------------------------------- */

static int is_plugin(const struct dirent *e)
{
  size_t n = strlen(e->d_name);
  return strncmp(e->d_name, "plugin_", 7) == 0 && n > 3 && strcmp(e->d_name + n - 3, ".so") == 0;
}

static int load_plugin(struct plugin *p)
{
  p->handle = dlopen(p->path, RTLD_NOW | RTLD_LOCAL);
  if (!p->handle) {
    printf("  cannot load %s: %s\n", p->name, dlerror());
    return 0;
  }
  printf("  loaded %s\n", p->name);
  return 1;
}

static int load_plugins(const char *dir)
{
  struct dirent **entries;
  int n = scandir(dir, &entries, is_plugin, alphasort); /* a stable order */
  if (n < 0) {
    perror(dir);
    return 0;
  }
  for (int i = 0; i < n; i++) {
    if (plugin_count < MAX_PLUGINS) {
      struct plugin *p = &plugins[plugin_count++];
      snprintf(p->name, sizeof p->name, "%s", entries[i]->d_name);
      snprintf(p->path, sizeof p->path, "%s/%s", dir, entries[i]->d_name);
      load_plugin(p);
    }
    free(entries[i]);
  }
  free(entries);
  return plugin_count;
}

static struct plugin *plugin_named(const char *name)
{
  for (int i = 0; i < plugin_count; i++)
    if (strcmp(plugins[i].name, name) == 0)
      return &plugins[i];
  return NULL;
}

/* ---- which module holds this function? ----------------------------- */

static void where_is(const char *what, const void *address)
{
  const struct modlink_module *m = modlink_find_module(address);
  printf("  %-26s is in %s\n", what, m ? modlink_module_name(m) : "no modlink module");
}

static int count_commands(const struct modlink_module *m, const void *value, void *ctx)
{
  (void)m;
  (void)value;
  ++*(int *)ctx;
  return 0;
}

static int command_count(void)
{
  int n = 0;
  modlink_foreach_entry("command", count_commands, &n);
  return n;
}

static void on_change(const struct modlink_module *m, int loaded, void *ready)
{
  if (*(int *)ready)
    printf("  [registry] %s %s\n", modlink_module_name(m), loaded ? "arrived" : "left");
}

int main(int argc, char **argv)
{
  if (argc != 2) {
    fprintf(stderr, "usage: %s PLUGIN_DIR\n", argv[0]);
    return 2;
  }
  static int ready;
  modlink_on_change(on_change, &ready);
  ready = 1;

  heading("modules at start");
  run_modules(0, NULL);

  heading("loading the plugins");
  if (load_plugins(argv[1]) != 3) {
    printf("plugin-host: FAILED (expected three plugins in %s)\n", argv[1]);
    ready = 0;
    return 1;
  }

  heading("modules and commands");
  run_line("modules");
  run_line("help");
  int commands = command_count();

  heading("running commands (deferred calls clean up)");
  static const char *const script[] = {
      "sum 1 2 3 4",   "mean 2 3 7",        "upper hello modlink", "upper hello 42",
      "reverse a b c", "lifo 3",            "acquire",             "acquire no-space-left",
  };
  int failures = 0;
  for (size_t i = 0; i < sizeof script / sizeof *script; i++)
    failures += run_line(script[i]) != 0;

  heading("which module holds a function?");
  where_is("the 'sum' command", find_command("sum")->run);
  where_is("the 'upper' command", find_command("upper")->run);
  where_is("util_buffer_free", (const void *)util_buffer_free);
  where_is("main", (const void *)main);
  where_is("modlink_module_count", (const void *)modlink_module_count);
  where_is("printf (libc)", (const void *)printf);

  heading("unloading plugin_text.so");
  struct plugin *text = plugin_named("plugin_text.so");
  dlclose(text->handle);
  int without = command_count();
  printf("  %d commands now (%d before); 'upper' %s\n", without, commands,
         find_command("upper") ? "is still there" : "is gone");
  run_line("upper gone");
  run_line("modules");

  heading("loading plugin_text.so again");
  load_plugin(text);
  run_line("upper back again");

  ready = 0; /* quiet for the departures at exit */
  int ok = failures == 2 && without == commands - 2 && command_count() == commands && commands == 8;
  printf("\nplugin-host: %s\n", ok ? "ok" : "FAILED");
  return !ok;
}
