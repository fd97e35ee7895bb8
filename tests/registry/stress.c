/* Concurrency: 4 threads iterate the registry and look up addresses while
 * 2 threads dlopen and dlclose modules in a loop.  Readers touch the
 * memory of the modules they are shown (names, entries), so a module
 * unmapped while a reader can still see it crashes the test or trips
 * ThreadSanitizer.  At the end the module count is back to its baseline.
 *
 *   registry_stress ITERATIONS PLUGIN.so...   (4 plugins) */
#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>

#include "check.h"
#include "modlink.h"

struct payload {
  unsigned magic;
  const char *module;
};

static int stop;
static long lookups, entries_seen;
static long arrivals, departures;
static const char *plugins[4];
static long iterations;

static void on_change(const struct modlink_module *m, int loaded, void *ctx)
{
  (void)ctx;
  (void)strlen(modlink_module_name(m)); /* the module is still mapped */
  __atomic_fetch_add(loaded ? &arrivals : &departures, 1, __ATOMIC_RELAXED);
}

static int visit_module(const struct modlink_module *m, void *ctx)
{
  *(size_t *)ctx += strlen(modlink_module_name(m));
  return 0;
}

static int visit_entry(const struct modlink_module *m, const void *value,
                       void *ctx)
{
  const struct payload *p = value;
  if (p->magic != 0x5eedu || strcmp(p->module, modlink_module_name(m)) != 0) {
    printf("FAIL: entry of '%s' reads %#x\n", modlink_module_name(m), p->magic);
    fflush(stdout);
    abort();
  }
  ++*(long *)ctx;
  return 0;
}

static void *reader(void *arg)
{
  (void)arg;
  const struct modlink_module *self = modlink_self();
  long n = 0, e = 0;
  while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
    size_t len = 0;
    modlink_foreach_module(visit_module, &len);
    modlink_foreach_entry("stress", visit_entry, &e);
    for (int i = 0; i < 64; i++, n++) {
      if (modlink_find_module((const void *)&reader) != self ||
          modlink_find_module(&n) != 0) {
        printf("FAIL: lookup\n");
        fflush(stdout);
        abort();
      }
    }
  }
  __atomic_fetch_add(&lookups, n, __ATOMIC_RELAXED);
  __atomic_fetch_add(&entries_seen, e, __ATOMIC_RELAXED);
  return 0;
}

static void *writer(void *arg)
{
  int first = 2 * (int)(intptr_t)arg;
  for (long i = 0; i < iterations; i++) {
    void *h = dlopen(plugins[first + (i & 1)], RTLD_NOW | RTLD_LOCAL);
    if (!h) {
      printf("FAIL: dlopen: %s\n", dlerror());
      fflush(stdout);
      abort();
    }
    dlclose(h);
  }
  return 0;
}

int main(int argc, char **argv)
{
  if (argc != 6) {
    fprintf(stderr, "usage: %s ITERATIONS PLUGIN.so x4\n", argv[0]);
    return 2;
  }
  iterations = atol(argv[1]);
  for (int i = 0; i < 4; i++)
    plugins[i] = argv[2 + i];

  printf("stress: start\n");
  fflush(stdout);
  size_t baseline = modlink_module_count();
  CHECK(modlink_on_change(on_change, 0) == 0);
  long initial = arrivals;
  CHECK(initial == (long)baseline);

  pthread_t r[4], w[2];
  for (int i = 0; i < 4; i++)
    pthread_create(&r[i], 0, reader, 0);
  for (int i = 0; i < 2; i++)
    pthread_create(&w[i], 0, writer, (void *)(intptr_t)i);
  for (int i = 0; i < 2; i++)
    pthread_join(w[i], 0);
  __atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
  for (int i = 0; i < 4; i++)
    pthread_join(r[i], 0);

  CHECK(modlink_module_count() == baseline);
  CHECK(arrivals - initial == departures);
  CHECK(departures >= iterations); /* at least one writer's worth */
  CHECK(lookups > 0);
  if (check_failures)
    return 1;
  printf("stress: ok, %ld loads and unloads, %ld lookups, %ld entries read\n",
         arrivals - initial, lookups, entries_seen);
  return 0;
}
