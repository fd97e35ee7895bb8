/* app: a PIE that lists the modules and the shapes they contribute, loads
 * a plugin (closed by a deferred call), and lists them again.
 *
 *   app PLUGIN.so */
#include <dlfcn.h>
#include <modlink.h>
#include <stdio.h>

#include "shapes.h"

static double hexagon(double s) { return 2.5980762 * s * s; }
static const struct shape hexagon_shape = {"hexagon", hexagon};
MODLINK_ENTRY("shape", &hexagon_shape);

static int print_shape(const struct modlink_module *m, const void *value, void *count)
{
  const struct shape *s = value;
  printf("  %-8s from %-12s area(2) = %.2f\n", s->name, modlink_module_name(m), s->area(2));
  ++*(int *)count;
  return 0;
}

static int count_shapes(void)
{
  int n = 0;
  modlink_foreach_entry("shape", print_shape, &n);
  return n;
}

static void close_plugin(void *handle)
{
  printf("closing the plugin (deferred)\n");
  dlclose(handle);
}

/* Loads the plugin for the length of this call. */
static int with_plugin(const char *path)
{
  void *handle = dlopen(path, RTLD_NOW);
  if (!handle) {
    printf("FAIL: %s\n", dlerror());
    return -1;
  }
  modlink_defer(close_plugin, handle);
  printf("%zu modules with the plugin:\n", modlink_module_count());
  return count_shapes();
}

int main(int argc, char **argv)
{
  printf("%zu modules:\n", modlink_module_count());
  int before = count_shapes();
  int during = argc > 1 ? with_plugin(argv[1]) : -1;
  int after = count_shapes();
  int ok = before == 1 + shapes_in_library() && during == before + 1 && after == before;
  printf("make-project: %s\n", ok ? "ok" : "FAILED");
  return !ok;
}
