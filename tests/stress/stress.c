/* Stress (R2): dlopen/dlclose cycles over 8 modules while 4 threads read
 * the registry and run deferring functions, some of whose deferred calls
 * live in the modules coming and going.
 *
 *   stress CYCLES MODULE.so x8 [leak]
 *
 * The environment variable STRESS_CYCLES, when set, overrides CYCLES (the
 * full runs: scripts/stress.sh).  ctest runs it as
 * <triple>/stress/{plain,asan,tsan} with fewer cycles, on the targets
 * where the sanitizers run.
 *
 * Two writer threads own 4 modules each.  Each cycle dlopens the next of
 * its modules and dlcloses the one it opened the cycle before, so up to
 * two of a writer's modules are loaded at once.  CYCLES counts dlopen and
 * dlclose pairs, over both writers.
 *
 * Each of the 4 reader threads loops until the writers are done:
 *   - modlink_foreach_module, reading every module's name;
 *   - modlink_foreach_entry("stress"), reading each entry (it lives in its
 *     module's read-only data), checking that modlink_find_module maps it
 *     to the module that listed it (or to none, when that module is
 *     departing: a nested lookup sees the newest table), and deferring a
 *     second read of it from inside the callback (it runs before the read
 *     section ends);
 *   - modlink_find_module on the program's own code and on the stack;
 *   - a deferring function of the program: k deferred calls and a deferred
 *     cleanup that frees a heap block (a lost call leaks it);
 *   - then, with one module pinned: a function of the program that defers
 *     calls into the module, and a function of the module that defers
 *     calls of its own and one back into the program.
 * Every deferred call logs an id tagged with the module it runs in; after
 * each deferring function returns, the thread checks that exactly the
 * expected calls ran, last deferred first.
 *
 * Calling into a module safely.  A reader picks a module at random and
 * pins it with dlopen(path, RTLD_NOW | RTLD_NOLOAD): that returns a
 * handle, and takes a reference, only if the module is loaded, so it
 * cannot be unmapped until the reader's own dlclose.  Only then does the
 * reader look up its functions (dlsym on that handle), call them, and let
 * their deferred calls run; it drops the pin after the deferring function
 * has returned, so no deferred call, record or return address into the
 * module outlives the pin.  When the reader's dlclose is the last
 * reference, the module is unloaded (and deregistered) by the reader.
 * The registry is never used to reach a module's code: what
 * modlink_foreach_entry shows is only valid inside the callback.
 *
 * At the end: the module count is back to its baseline, every arrival the
 * listener saw has its departure, each thread ran exactly the deferred
 * calls it expected, in order.  The last line is the summary, e.g.
 *   stress: 10000 cycles, 8 modules, 4 threads, ... count back to 2, ...
 *
 * With "leak", one deferred cleanup forgets its free: the negative control
 * of the AddressSanitizer build, which LeakSanitizer must report. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "modlink.h"
#include "stress.h"

enum { MODULES = 8, READERS = 4, WRITERS = 2 };

static const char *paths[MODULES];
static long cycles;
static int leak_mode;
static int stop;
static long arrivals, departures;

struct reader {
  pthread_t thread;
  unsigned id;
  uint32_t rng;
  struct stress_log log;      /* the calls of the current round */
  unsigned long expected;     /* deferred calls this thread made */
  unsigned long entry_checks; /* deferred re-reads of entries */
  long lookups, entries, pinned, rounds;
  long departing; /* entries whose module was no longer found */
};

static void fail(const char *what, struct reader *r)
{
  printf("FAIL: %s (thread %u, round %ld)\n", what, r ? r->id : 0u,
         r ? r->rounds : 0);
  fflush(stdout);
  abort();
}

static void on_change(const struct modlink_module *m, int loaded, void *ctx)
{
  (void)ctx;
  if (!modlink_module_name(m)[0]) /* the module is still mapped */
    fail("a module without a name", 0);
  __atomic_fetch_add(loaded ? &arrivals : &departures, 1, __ATOMIC_RELAXED);
}

static uint32_t next_random(struct reader *r)
{
  r->rng ^= r->rng << 13;
  r->rng ^= r->rng >> 17;
  r->rng ^= r->rng << 5;
  return r->rng;
}

/* ---- the registry -------------------------------------------------------- */

static int visit_module(const struct modlink_module *m, void *ctx)
{
  *(size_t *)ctx += strlen(modlink_module_name(m));
  return 0;
}

struct entry_visit {
  struct reader *r;
  const struct modlink_module *m;
  const struct stress_payload *p;
};

static void check_entry(const struct modlink_module *m,
                        const struct stress_payload *p, struct reader *r)
{
  if (p->magic != STRESS_MAGIC || p->index >= MODULES ||
      strcmp(p->module, modlink_module_name(m)) != 0)
    fail("an entry does not read as its module's", r);
}

static void recheck_entry(void *p)
{
  struct entry_visit *v = p;
  check_entry(v->m, v->p, v->r);
  v->r->entry_checks++;
  free(v);
}

/* Runs inside the read section: the deferred re-read does too.  (Its
   argument is on the heap: a deferred call runs after the function's
   scopes ended, so it must not point to the function's locals.) */
static int visit_entry(const struct modlink_module *m, const void *value,
                       void *ctx)
{
  struct entry_visit *v = malloc(sizeof *v);
  if (!v)
    fail("malloc", ctx);
  *v = (struct entry_visit){ctx, m, value};
  modlink_defer(recheck_entry, v);
  check_entry(m, v->p, v->r);
  /* A lookup sees the newest table, not the one being iterated: a module
     that is departing meanwhile is not found any more (NULL), but it stays
     mapped until this iteration ends, so no other module can hold it. */
  const struct modlink_module *found = modlink_find_module(value);
  if (found != m && found != 0)
    fail("an entry is found in another module", v->r);
  v->r->departing += found == 0;
  v->r->lookups++;
  v->r->entries++;
  return 0;
}

static void read_registry(struct reader *r, const struct modlink_module *self)
{
  size_t len = 0;
  modlink_foreach_module(visit_module, &len);
  if (len == 0)
    fail("no module names", r);
  unsigned long before = r->entry_checks;
  long entries = r->entries;
  modlink_foreach_entry("stress", visit_entry, r);
  if (r->entry_checks - before != (unsigned long)(r->entries - entries))
    fail("an entry's deferred re-read did not run", r);
  int local;
  for (int i = 0; i < 16; i++, r->lookups += 2)
    if (modlink_find_module((const void *)&read_registry) != self ||
        modlink_find_module(&local) != 0)
      fail("lookup", r);
}

/* ---- deferred calls ------------------------------------------------------ */

static void local_note(void *slot) { stress_record(slot, 0); }

struct cleanup {
  struct stress_slot slot; /* first: the record's argument */
  void *block;
};

static void release(void *p)
{
  struct cleanup *c = p;
  free(c->block);
  stress_record(&c->slot, 0);
}

static void forget(void *p) /* the leak control's faulty cleanup */
{
  stress_record(&((struct cleanup *)p)->slot, 0);
}

static void expect_log(struct reader *r, const unsigned *want, unsigned n,
                       const char *what)
{
  r->expected += n;
  if (r->log.n != n || memcmp(r->log.ids, want, n * sizeof *want) != 0) {
    printf("FAIL: thread %u, round %ld: %s ran %u deferred calls:", r->id,
           r->rounds, what, r->log.n);
    for (unsigned i = 0; i < r->log.n && i < n; i++)
      printf(" %#x%s", r->log.ids[i], r->log.ids[i] == want[i] ? "" : "(!)");
    printf(" (expected %u)\n", n);
    fflush(stdout);
    abort();
  }
  r->log.n = 0;
}

static void fill(struct stress_slot *s, unsigned k, struct reader *r)
{
  for (unsigned j = 0; j <= k; j++)
    s[j] = (struct stress_slot){&r->log, j};
}

/* k calls of the program, and a cleanup deferred first.  The arguments
   are the caller's: they outlive this function's scopes. */
__attribute__((noinline)) static void local_round(struct reader *r,
                                                  struct stress_slot *s,
                                                  unsigned k,
                                                  struct cleanup *c, int leaky)
{
  *c = (struct cleanup){{&r->log, 0xff}, malloc(48)};
  if (!c->block)
    fail("malloc", r);
  modlink_defer(leaky ? forget : release, c);
  for (unsigned j = 1; j <= k; j++)
    modlink_defer(local_note, &s[j]);
}

/* k calls, the odd ones to the pinned module's note, the even ones local. */
__attribute__((noinline)) static unsigned into_module(struct stress_slot *s,
                                                      unsigned k,
                                                      stress_note_fn *note)
{
  for (unsigned j = 1; j <= k; j++)
    modlink_defer(j & 1 ? note : local_note, &s[j]);
  return k;
}

static void defer_rounds(struct reader *r)
{
  struct stress_slot s[STRESS_MAX_DEFERS + 1];
  unsigned want[2 * STRESS_MAX_DEFERS], k = 1 + next_random(r) % 8;

  fill(s, k, r);
  struct cleanup c;
  int leaky = leak_mode && r->id == 0 && r->rounds == 0;
  local_round(r, s, k, &c, leaky);
  for (unsigned j = 0; j < k; j++)
    want[j] = k - j;
  want[k] = 0xff;
  expect_log(r, want, k + 1, "local_round");

  unsigned m = next_random(r) % MODULES;
  void *pin = dlopen(paths[m], RTLD_NOW | RTLD_NOLOAD);
  if (!pin)
    return; /* not loaded right now */
  stress_note_fn *note = (stress_note_fn *)dlsym(pin, "stress_mod_note");
  stress_round_fn *round = (stress_round_fn *)dlsym(pin, "stress_mod_round");
  if (!note || !round)
    fail("dlsym in a pinned module", r);
  const char *file = strrchr(paths[m], '/');
  file = file ? file + 1 : paths[m];
  const char *name = modlink_module_name(modlink_find_module((void *)note));
  r->lookups++;
  if (!name || strcmp(name, file) != 0)
    fail("a pinned module's function is not found in it", r);

  unsigned tag = (m + 1) << 8;
  fill(s, k, r);
  into_module(s, k, note);
  for (unsigned j = 0; j < k; j++)
    want[j] = (k - j) & 1 ? tag | (k - j) : k - j;
  expect_log(r, want, k, "into_module");

  fill(s, k, r);
  if (round(s, k, local_note) != m)
    fail("the pinned module is not the one asked for", r);
  for (unsigned j = 0; j < k; j++)
    want[j] = tag | (k - j);
  want[k] = 0;
  expect_log(r, want, k + 1, "stress_mod_round");

  dlclose(pin); /* after the deferring functions returned */
  r->pinned++;
}

static void *reader(void *arg)
{
  struct reader *r = arg;
  const struct modlink_module *self = modlink_self();
  while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
    read_registry(r, self);
    defer_rounds(r);
    r->rounds++;
  }
  return 0;
}

/* ---- loading and unloading ----------------------------------------------- */

static void *writer(void *arg)
{
  int w = (int)(intptr_t)arg;
  void *previous = 0;
  for (long i = w, n = 0; i < cycles; i += WRITERS, n++) {
    void *h = dlopen(paths[w * 4 + n % 4], RTLD_NOW | RTLD_LOCAL);
    if (!h) {
      printf("FAIL: dlopen: %s\n", dlerror());
      fflush(stdout);
      abort();
    }
    if (previous)
      dlclose(previous);
    previous = h;
  }
  if (previous)
    dlclose(previous);
  return 0;
}

int main(int argc, char **argv)
{
  if (argc != 2 + MODULES && !(argc == 3 + MODULES && !strcmp(argv[argc - 1], "leak"))) {
    fprintf(stderr, "usage: %s CYCLES MODULE.so x%d [leak]\n", argv[0], MODULES);
    return 2;
  }
  const char *env = getenv("STRESS_CYCLES");
  cycles = atol(env && *env ? env : argv[1]);
  for (int i = 0; i < MODULES; i++)
    paths[i] = argv[2 + i];
  leak_mode = argc == 3 + MODULES;

  printf("stress: start, %ld cycles\n", cycles);
  fflush(stdout);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  size_t baseline = modlink_module_count();
  CHECK(modlink_on_change(on_change, 0) == 0);
  long initial = arrivals;
  CHECK(initial == (long)baseline);

  static struct reader readers[READERS];
  pthread_t w[WRITERS];
  for (unsigned i = 0; i < READERS; i++) {
    readers[i].id = i;
    readers[i].rng = 0x9e3779b9u * (i + 1);
    CHECK(pthread_create(&readers[i].thread, 0, reader, &readers[i]) == 0);
  }
  for (int i = 0; i < WRITERS; i++)
    CHECK(pthread_create(&w[i], 0, writer, (void *)(intptr_t)i) == 0);
  for (int i = 0; i < WRITERS; i++)
    pthread_join(w[i], 0);
  __atomic_store_n(&stop, 1, __ATOMIC_RELAXED);

  long lookups = 0, entries = 0, pinned = 0, departing = 0;
  unsigned long deferred = 0;
  for (unsigned i = 0; i < READERS; i++) {
    struct reader *r = &readers[i];
    pthread_join(r->thread, 0);
    if (r->log.ran != r->expected) {
      printf("FAIL: thread %u ran %lu deferred calls, expected %lu\n", i,
             r->log.ran, r->expected);
      check_failures++;
    }
    CHECK(r->entry_checks == (unsigned long)r->entries);
    lookups += r->lookups;
    entries += r->entries;
    pinned += r->pinned;
    departing += r->departing;
    deferred += r->log.ran + r->entry_checks;
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);

  size_t count = modlink_module_count();
  long loads = arrivals - initial;
  CHECK(count == baseline);
  CHECK(loads == departures);
  CHECK(loads > 0 && loads <= cycles);
  CHECK(pinned > 0 || cycles < 1000); /* short runs may never catch one */
  if (check_failures)
    return 1;
  printf("stress: %ld cycles, %d modules, %d threads, %ld loads, %ld lookups, "
         "%ld entries (%ld departing), %lu deferred calls (%ld rounds in "
         "pinned modules), count back to %zu, %.1f s\n",
         cycles, MODULES, READERS, loads, lookups, entries, departing,
         deferred, pinned, count,
         (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
  fflush(stdout); /* a sanitizer's report at exit ends the process with _exit */
  return 0;
}
