/* The multi-module registry test.  This executable (EXE_FILE) has two
 * DT_NEEDED test modules, libregistry_a.so and libregistry_b.so, and
 * dlopens a third, argv[1] (libregistry_plugin.so).  The runtime lives in
 * RUNTIME_FILE: libmodlink.so, or this executable when it is linked with
 * libmodlink.a. */
#include <dlfcn.h>
#include <stdint.h>

#include "check.h"
#include "mod.h"

#define MOD main
#define MOD_FILE EXE_FILE
#include "mod.c"

struct mod_info registry_a_info(void);
struct mod_info registry_b_info(void);

/* ---- what the listener saw ---- */
struct event {
  char name[64];
  int loaded;
};
static struct event events[64];
static int nevents;

static void on_change(const struct modlink_module *m, int loaded, void *ctx)
{
  CHECK(ctx == (void *)&events);
  if (nevents < 64) {
    snprintf(events[nevents].name, sizeof events[0].name, "%s",
             modlink_module_name(m));
    events[nevents++].loaded = loaded;
  }
}

static int count_events(const char *name, int loaded)
{
  int n = 0;
  for (int i = 0; i < nevents; i++)
    n += strcmp(events[i].name, name) == 0 && events[i].loaded == loaded;
  return n;
}

/* ---- foreach helpers ---- */
struct names {
  const char *list[16];
  int n;
};

static int collect_module(const struct modlink_module *m, void *ctx)
{
  struct names *names = ctx;
  if (names->n < 16)
    names->list[names->n++] = modlink_module_name(m);
  return 0;
}

static int has_name(const struct names *names, const char *name)
{
  for (int i = 0; i < names->n; i++)
    if (strcmp(names->list[i], name) == 0)
      return 1;
  return 0;
}

static int collect_entry(const struct modlink_module *m, const void *value,
                         void *ctx)
{
  const struct test_entry *e = value;
  /* The entry names its own module, and lives in it. */
  CHECK_STR(e->module, modlink_module_name(m));
  CHECK(modlink_find_module(e) == m);
  return collect_module(m, ctx);
}

static int stop_at_second(const struct modlink_module *m, void *ctx)
{
  (void)m;
  return ++*(int *)ctx == 2 ? 77 : 0;
}

static struct names modules(void)
{
  struct names n = {{0}, 0};
  CHECK(modlink_foreach_module(collect_module, &n) == 0);
  return n;
}

static struct names entries(void)
{
  struct names n = {{0}, 0};
  CHECK(modlink_foreach_entry("registry.test", collect_entry, &n) == 0);
  return n;
}

/* One file's entries come in the order they are written, at any -O. */
MODLINK_ENTRY("registry.order", "1");
MODLINK_ENTRY("registry.order", "2");
MODLINK_ENTRY("registry.order", "3");

static int collect_order(const struct modlink_module *m, const void *value,
                         void *ctx)
{
  (void)m;
  strcat(ctx, value);
  return 0;
}

/* Every address the module reports is found in it, inside its bounds. */
static void check_module(struct mod_info i)
{
  const struct modlink_module *m = modlink_find_module(i.text);
  CHECK(m != 0);
  if (!m)
    return;
  CHECK_STR(modlink_module_name(m), i.file);
  CHECK(i.self == m);
  CHECK(modlink_find_module(i.rodata) == m);
  CHECK(modlink_find_module(i.data) == m);
  CHECK(modlink_find_module(i.bss) == m);
  uintptr_t ts, te, ds, de;
  modlink_module_text(m, &ts, &te);
  modlink_module_data(m, &ds, &de);
  CHECK(ts <= (uintptr_t)i.text && (uintptr_t)i.text < te);
  CHECK(ds <= (uintptr_t)i.data && (uintptr_t)i.data < de);
  CHECK(ds <= (uintptr_t)i.bss && (uintptr_t)i.bss < de);
  CHECK(i.ctor_saw_self);
  CHECK(i.prio_ctor_saw_self);
}

static void *load_plugin(const char *path, mod_info_fn **info,
                         mod_set_dtor_flags_fn **set_flags)
{
  void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    printf("FAIL: dlopen: %s\n", dlerror());
    exit(1);
  }
  *info = (mod_info_fn *)dlsym(h, "registry_plugin_info");
  *set_flags = (mod_set_dtor_flags_fn *)dlsym(h, "registry_plugin_set_dtor_flags");
  CHECK(*info && *set_flags);
  return h;
}

int main(int argc, char **argv)
{
  if (argc != 2) {
    fprintf(stderr, "usage: %s PLUGIN.so\n", argv[0]);
    return 2;
  }
  const char *plugin = argv[1];
  int base = strcmp(RUNTIME_FILE, EXE_FILE) == 0 ? 3 : 4;

  char order[8] = "";
  CHECK(modlink_foreach_entry("registry.order", collect_order, order) == 0);
  CHECK_STR(order, "123");

  /* The listener hears about every module already there. */
  CHECK(modlink_on_change(0, 0) == -1);
  CHECK(modlink_on_change(on_change, &events) == 0);
  CHECK(nevents == base);

  struct names m = modules();
  CHECK(modlink_module_count() == (size_t)base);
  CHECK(m.n == base);
  CHECK_STR(m.list[0], RUNTIME_FILE); /* registered statically, first */
  CHECK(has_name(&m, EXE_FILE) && has_name(&m, "libregistry_a.so") &&
        has_name(&m, "libregistry_b.so") && has_name(&m, RUNTIME_FILE));
  for (int i = 0; i < m.n; i++)
    CHECK(count_events(m.list[i], 1) == 1);
  int calls = 0;
  CHECK(modlink_foreach_module(stop_at_second, &calls) == 77 && calls == 2);

  check_module(registry_main_info());
  check_module(registry_a_info());
  check_module(registry_b_info());
  CHECK_STR(modlink_module_name(modlink_self()), EXE_FILE);

  /* Neither heap nor stack belongs to a module. */
  void *heap = malloc(64);
  CHECK(modlink_find_module(heap) == 0);
  free(heap);
  CHECK(modlink_find_module(&argc) == 0);
  CHECK(modlink_find_module(0) == 0);

  struct names e = entries();
  CHECK(e.n == 3 && has_name(&e, EXE_FILE) && has_name(&e, "libregistry_a.so") &&
        has_name(&e, "libregistry_b.so"));
  calls = 0;
  CHECK(modlink_foreach_entry("registry.none", collect_entry, &calls) == 0);

  /* dlopen, dlclose, dlopen again. */
  for (int round = 0; round < 2; round++) {
    mod_info_fn *info;
    mod_set_dtor_flags_fn *set_flags;
    void *h = load_plugin(plugin, &info, &set_flags);
    CHECK(modlink_module_count() == (size_t)base + 1);
    CHECK(count_events("libregistry_plugin.so", 1) == round + 1);
    struct mod_info pi = info();
    check_module(pi);
    e = entries();
    CHECK(e.n == 4 && has_name(&e, "libregistry_plugin.so"));

    int dtor = -1, prio_dtor = -1;
    set_flags(&dtor, &prio_dtor);
    CHECK(dlclose(h) == 0);
    CHECK(dtor == 1 && prio_dtor == 1); /* destructors still saw it */
    CHECK(modlink_module_count() == (size_t)base);
    CHECK(count_events("libregistry_plugin.so", 0) == round + 1);
    CHECK(modlink_find_module(pi.text) == 0);
    CHECK(modlink_find_module(pi.data) == 0);
    m = modules();
    CHECK(m.n == base && !has_name(&m, "libregistry_plugin.so"));
    e = entries();
    CHECK(e.n == 3);
  }

  if (check_failures)
    return 1;
  printf("registry: checks passed\n");
  fflush(stdout);
  return 0;
}

/* At exit this executable's destructors still see it registered. */
__attribute__((destructor)) static void main_dtor(void)
{
  if (!check_failures && modlink_self() &&
      strcmp(modlink_module_name(modlink_self()), EXE_FILE) == 0)
    printf("registry: destructor ok\n");
}
