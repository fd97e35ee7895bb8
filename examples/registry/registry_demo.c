/* The module registry in a few lines: list the modules, collect the
 * entries every module contributes, and watch a plugin come and go.
 *
 *   registry_demo PLUGIN.so */
#include <dlfcn.h>
#include <modlink.h>
#include <stdio.h>

#include "greeting.h"

const char *greet_module(void);

static const struct greeting hello = {"hello from the executable"};
MODLINK_ENTRY("demo.greeting", &hello);

static int print_module(const struct modlink_module *m, void *ctx)
{
  uintptr_t start, end;
  (void)ctx;
  modlink_module_text(m, &start, &end);
  printf("    %-22s text %#lx..%#lx\n", modlink_module_name(m),
         (unsigned long)start, (unsigned long)end);
  return 0;
}

static int print_greeting(const struct modlink_module *m, const void *value,
                          void *ctx)
{
  const struct greeting *g = value;
  printf("    [%s] %s\n", modlink_module_name(m), g->text);
  ++*(int *)ctx;
  return 0;
}

static void on_change(const struct modlink_module *m, int loaded, void *ctx)
{
  if (*(int *)ctx) /* quiet for the modules already there */
    printf("  %s %s\n", loaded ? "arrived:" : "departed:", modlink_module_name(m));
}

static int greetings(void)
{
  int n = 0;
  modlink_foreach_entry("demo.greeting", print_greeting, &n);
  return n;
}

int main(int argc, char **argv)
{
  if (argc != 2) {
    fprintf(stderr, "usage: %s PLUGIN.so\n", argv[0]);
    return 2;
  }
  static int verbose;
  modlink_on_change(on_change, &verbose);
  verbose = 1;

  printf("  %zu modules; this one is %s, libgreet.so calls itself %s:\n",
         modlink_module_count(), modlink_module_name(modlink_self()),
         greet_module());
  modlink_foreach_module(print_module, 0);
  printf("  greetings:\n");
  int before = greetings();

  void *plugin = dlopen(argv[1], RTLD_NOW);
  if (!plugin) {
    printf("dlopen: %s\n", dlerror());
    return 1;
  }
  const char *(*name)(void) = (const char *(*)(void))dlsym(plugin, "demo_plugin_name");
  const struct modlink_module *m = modlink_find_module((const void *)name);
  printf("  demo_plugin_name is in %s, which calls itself %s\n",
         m ? modlink_module_name(m) : "(none)", name());
  printf("  greetings:\n");
  int during = greetings();
  dlclose(plugin);
  printf("  %zu modules after dlclose\n", modlink_module_count());

  printf("  greetings:\n");
  int after = greetings();
  int ok = before == 2 && during == 3 && after == 2;
  printf("registry demo: %s\n", ok ? "ok" : "FAILED");
  verbose = 0; /* the modules leave at exit, quietly */
  return !ok;
}
