/* Listeners that change the registry from inside their own callbacks:
 *   - one that dlcloses a module while modlink_on_change replays the
 *     modules already there (the replay's table is replaced and freed);
 *   - one that adds a listener while a module arrives: the new listener
 *     hears of that arrival once, in its replay.
 *
 *   registry_listeners PLUGIN.so   (libregistry_plugin.so) */
#include <dlfcn.h>

#include "check.h"
#include "modlink.h"

static const char plugin_name[] = "libregistry_plugin.so";
static void *handle;
static int replayed, departures;

static int is_plugin(const struct modlink_module *m)
{
  return strcmp(modlink_module_name(m), plugin_name) == 0;
}

static void closes_during_replay(const struct modlink_module *m, int loaded,
                                 void *ctx)
{
  (void)ctx;
  if (!loaded) {
    departures++;
    return;
  }
  replayed++;
  if (handle && is_plugin(m)) {
    void *h = handle;
    handle = 0;
    CHECK(dlclose(h) == 0);
  }
}

static int second_heard;
static void second(const struct modlink_module *m, int loaded, void *ctx)
{
  (void)ctx;
  if (loaded && is_plugin(m))
    second_heard++;
}

static int added;
static void adds_a_listener(const struct modlink_module *m, int loaded,
                            void *ctx)
{
  (void)ctx;
  if (loaded && !added && is_plugin(m)) {
    added = 1;
    CHECK(modlink_on_change(second, 0) == 0);
  }
}

int main(int argc, char **argv)
{
  if (argc != 2) {
    fprintf(stderr, "usage: %s PLUGIN.so\n", argv[0]);
    return 2;
  }
  size_t base = modlink_module_count();
  CHECK((handle = dlopen(argv[1], RTLD_NOW)) != 0);
  CHECK(modlink_module_count() == base + 1);

  CHECK(modlink_on_change(closes_during_replay, 0) == 0);
  CHECK(handle == 0);
  CHECK(departures == 1);
  CHECK(replayed == (int)base + 1); /* the plugin is last, closed on its turn */
  CHECK(modlink_module_count() == base);

  CHECK(modlink_on_change(adds_a_listener, 0) == 0);
  void *h = dlopen(argv[1], RTLD_NOW);
  CHECK(h != 0);
  CHECK(second_heard == 1);
  CHECK(h && dlclose(h) == 0);
  CHECK(modlink_module_count() == base);
  if (!check_failures)
    printf("listeners: ok\n");
  return check_failures != 0;
}
