/* The registry used as an adversary would use it.  One scenario per run:
 *
 *   registry_adversarial SCENARIO DIR
 *
 * DIR holds libregistry_a.so, libregistry_b.so, libregistry_plugin.so and
 * libadv_listener.so.  Each scenario prints "SCENARIO: ok" when every check
 * held; an alarm turns a hang into a failure, which names the step the
 * scenario was at (stage).
 *
 *   departure-dlopen  a listener dlopens a module while it hears of another
 *                     one leaving
 *   listener-order    while a listener hears of an arrival it dlcloses the
 *                     module holding another listener: no listener misses
 *                     the arrival
 *   listener-added-in-departure
 *                     a listener added while a module leaves hears neither
 *                     its arrival nor its departure
 *   replay-dlclose    a listener dlcloses, during its replay, a module the
 *                     replay has not told it of: it hears of it not at all
 *   refused-listener  a refused module's constructor adds a listener: it is
 *                     dropped when the module is dlclosed
 *   hooks-listener    the same for a listener outside the module's .text
 *   listener-readded  a listener adds itself again during its replay: both
 *                     hear each module leave that they heard arrive
 *   fork-in-listener  a listener forks while it hears an arrival; in the
 *                     child, every listener hears each later arrival once
 *   entry-dlclose     a foreach_entry callback dlcloses the module it was
 *                     handed
 *   oom-departure     every allocation of the runtime fails, then a module
 *                     is dlclosed and the process exits: nothing aborts,
 *                     nothing stays listed
 *   oom-first         every allocation of the runtime fails from the start:
 *                     the runtime's own module is still listed
 *   signal-storm      a signal handler looks up addresses in a thread
 *                     that reads the registry and in the thread that
 *                     dlopens and dlcloses, and checks its answers about
 *                     the module being cycled
 *   longjmp           foreach callbacks left by longjmp, then dlopen and
 *                     dlclose in this thread and another
 *   longjmp-stale     the same, then the thread calls the registry from a
 *                     frame that covers the abandoned one without writing
 *                     over it (an untouched buffer): another thread's
 *                     dlclose of the module still does not wait
 *   nested-while-closing
 *                     a callback on a module iterates again and dlopens and
 *                     dlcloses another module while another thread dlcloses
 *                     its module: that dlclose waits for the callback
 *   listener-while-leaving
 *                     a callback on a module that another thread is
 *                     dlclosing adds a listener that lives in that module:
 *                     it is dropped all the same
 *   exit-while-churning
 *                     the process exits while another thread dlopens and
 *                     dlcloses in a loop (50 processes; an exit that
 *                     glibc's loader aborts on its own race is not judged)
 *   pthread-exit      a foreach callback ends its thread with pthread_exit
 *   cancel            a foreach callback's thread is cancelled in printf
 *   exit              a foreach callback calls exit(): destructors run,
 *                     buffered output is written
 *   exit-while-pinned exit() while another thread's callback, which will
 *                     never return, was handed a module that leaves at exit
 *   dlmopen           a module loaded into a new link-map namespace
 *   lookup            every module's ranges found from their first to their
 *                     last byte, a 64 MiB and a 1 MiB .bss included, and
 *                     gone once dlclosed, over 150 dlopen/dlclose rounds
 *                     (the address index's coarse granules, tombstones and
 *                     rebuilds)
 *   lookup-without-index
 *                     the same where the address index cannot be made
 *                     (ADVERSARIAL_FAIL_RUNTIME=calloc): lookups search
 *                     the table's sorted ranges and those appended since */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/wait.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "modlink.h"

static char dir[4096];

/* What the scenario is doing, for the alarm's message. */
static const char *volatile stage = "running";
static const char *scenario = "";

static void on_alarm(int sig)
{
  (void)sig;
  const char *parts[] = {scenario, ": FAIL: still ", stage,
                         " after 60 seconds\n"};
  for (int i = 0; i < 4; i++)
    if (write(2, parts[i], strlen(parts[i])) < 0)
      break;
  _exit(1);
}
static const char *path_of(const char *file)
{
  static char buf[4][4200];
  static int next;
  char *p = buf[next++ % 4];
  snprintf(p, sizeof buf[0], "%s/%s", dir, file);
  return p;
}

static int named(const struct modlink_module *m, const char *name)
{
  return m && strcmp(modlink_module_name(m), name) == 0;
}

struct named_search {
  const char *name;
  const struct modlink_module *found;
};

static int find_named(const struct modlink_module *m, void *ctx)
{
  struct named_search *search = ctx;
  if (named(m, search->name))
    search->found = m;
  return search->found != 0;
}

static const struct modlink_module *module_named(const char *name)
{
  struct named_search search = {name, 0};
  modlink_foreach_module(find_named, &search);
  return search.found;
}

static int listed(const char *name) { return module_named(name) != 0; }

static void *open_module(const char *file)
{
  void *h = dlopen(path_of(file), RTLD_NOW | RTLD_LOCAL);
  if (!h)
    printf("FAIL: dlopen %s: %s\n", file, dlerror());
  return h;
}

/* ---- allocations that fail on demand ------------------------------------ */

/* Allocations made by the runtime (callers in libmodlink.so) fail while
   FAIL_RUNTIME is set; the environment sets it from the start:
   ADVERSARIAL_FAIL_RUNTIME=1 fails them all, =calloc only calloc (the
   address index's, so that the registry has none). */
extern void *__libc_malloc(size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_calloc(size_t, size_t);
enum { FAIL_NONE, FAIL_ALL, FAIL_CALLOC };
static int fail_runtime = -1;

static int from_runtime_fails(void *caller, int calloc_call)
{
  if (fail_runtime < 0) {
    const char *e = getenv("ADVERSARIAL_FAIL_RUNTIME");
    fail_runtime = !e                        ? FAIL_NONE
                   : strcmp(e, "calloc") == 0 ? FAIL_CALLOC
                                              : FAIL_ALL;
  }
  if (fail_runtime == FAIL_NONE || (fail_runtime == FAIL_CALLOC && !calloc_call))
    return 0;
  Dl_info info;
  return dladdr(caller, &info) && info.dli_fname &&
         strstr(info.dli_fname, "libmodlink.so");
}

void *malloc(size_t n)
{
  return from_runtime_fails(__builtin_return_address(0), 0) ? 0 : __libc_malloc(n);
}
void *realloc(void *p, size_t n)
{
  return from_runtime_fails(__builtin_return_address(0), 0) ? 0
                                                            : __libc_realloc(p, n);
}
void *calloc(size_t n, size_t k)
{
  return from_runtime_fails(__builtin_return_address(0), 1) ? 0
                                                            : __libc_calloc(n, k);
}

/* ---- 1: a listener that dlopens during a departure ---------------------- */

static void *opened_by_listener;
static void opens_on_departure(const struct modlink_module *m, int loaded,
                               void *ctx)
{
  (void)ctx;
  if (!loaded && named(m, "libregistry_a.so") && !opened_by_listener)
    opened_by_listener = open_module("libregistry_b.so");
}

static void departure_dlopen(void)
{
  size_t base = modlink_module_count();
  void *a = open_module("libregistry_a.so");
  CHECK(modlink_on_change(opens_on_departure, 0) == 0);
  CHECK(a && dlclose(a) == 0);
  CHECK(opened_by_listener != 0);
  CHECK(listed("libregistry_b.so"));
  CHECK(!listed("libregistry_a.so"));
  CHECK(modlink_module_count() == base + 1);
  CHECK(opened_by_listener && dlclose(opened_by_listener) == 0);
  CHECK(modlink_module_count() == base);
}

/* ---- 2: a listener that dlcloses another listener's module ------------- */

static void *listener_module;
static void closes_listener_module(const struct modlink_module *m, int loaded,
                                   void *ctx)
{
  (void)ctx;
  if (loaded && named(m, "libregistry_plugin.so") && listener_module) {
    void *h = listener_module;
    listener_module = 0;
    CHECK(dlclose(h) == 0);
  }
}

static int plugin_arrivals, plugin_departures;
static void counts_plugin(const struct modlink_module *m, int loaded, void *ctx)
{
  (void)ctx;
  if (named(m, "libregistry_plugin.so"))
    ++*(loaded ? &plugin_arrivals : &plugin_departures);
}

static void listener_order(void)
{
  /* Listeners in this order: one in libadv_listener.so, the one that
     dlcloses that module, the one that counts. */
  CHECK((listener_module = open_module("libadv_listener.so")) != 0);
  int (*listen)(void) = (int (*)(void))dlsym(listener_module, "adv_listen");
  CHECK(listen && listen() == 0);
  CHECK(modlink_on_change(closes_listener_module, 0) == 0);
  CHECK(modlink_on_change(counts_plugin, 0) == 0);
  void *p = open_module("libregistry_plugin.so");
  CHECK(listener_module == 0);
  CHECK(plugin_arrivals == 1);
  CHECK(p && dlclose(p) == 0);
  CHECK(plugin_departures == 1);
}

/* Each listener's account of the plugin: +1 an arrival, -1 a departure;
   a departure never heard of as an arrival is an error. */
static int plugin_heard, plugin_order_errors;
static void accounts_plugin(const struct modlink_module *m, int loaded,
                            void *ctx)
{
  (void)ctx;
  if (!named(m, "libregistry_plugin.so"))
    return;
  plugin_heard += loaded ? 1 : -1;
  if (plugin_heard < 0 || plugin_heard > 1)
    plugin_order_errors++;
}

static int accountant_added;
static void adds_accountant_on_departure(const struct modlink_module *m,
                                         int loaded, void *ctx)
{
  (void)ctx;
  if (!loaded && named(m, "libregistry_plugin.so") && !accountant_added) {
    accountant_added = 1;
    CHECK(modlink_on_change(accounts_plugin, 0) == 0);
  }
}

static void listener_added_in_departure(void)
{
  void *p = open_module("libregistry_plugin.so");
  CHECK(modlink_on_change(adds_accountant_on_departure, 0) == 0);
  CHECK(p && dlclose(p) == 0);
  CHECK(accountant_added);
  CHECK(plugin_heard == 0);
  CHECK(plugin_order_errors == 0);
}

static void *closed_during_replay;
static void closes_during_replay(const struct modlink_module *m, int loaded,
                                 void *ctx)
{
  accounts_plugin(m, loaded, ctx);
  if (closed_during_replay && named(m, "libmodlink.so")) {
    void *h = closed_during_replay;
    closed_during_replay = 0;
    CHECK(dlclose(h) == 0); /* registered after libmodlink.so */
  }
}

static void replay_dlclose(void)
{
  size_t base = modlink_module_count();
  CHECK((closed_during_replay = open_module("libregistry_plugin.so")) != 0);
  CHECK(modlink_on_change(closes_during_replay, 0) == 0);
  CHECK(closed_during_replay == 0);
  CHECK(plugin_heard == 0);
  CHECK(plugin_order_errors == 0);
  CHECK(modlink_module_count() == base);
}

static void refused_listener(void)
{
  void *r = dlopen(path_of("libadv_refused.so"), RTLD_NOW);
  CHECK(r != 0);
  CHECK(!listed("libadv_refused.so"));
  CHECK(r && dlclose(r) == 0);
  /* Its listener would now be called in unmapped code. */
  void *p = open_module("libregistry_plugin.so");
  CHECK(p && dlclose(p) == 0);
}

static void hooks_listener(void)
{
  void *a = open_module("libregistry_a.so");
  void *h = open_module("libadv_hooks.so");
  CHECK(h && dlclose(h) == 0);
  /* Its listener would now be called in unmapped code (nothing mapped
     since, so that it cannot land in another module by chance). */
  CHECK(a && dlclose(a) == 0);
}

static int readded_arrivals, readded_departures, readded;
static void adds_itself_again(const struct modlink_module *m, int loaded,
                              void *ctx)
{
  if (loaded && !readded++)
    CHECK(modlink_on_change(adds_itself_again, ctx) == 0);
  if (named(m, "libregistry_plugin.so"))
    ++*(loaded ? &readded_arrivals : &readded_departures);
}

static void listener_readded(void)
{
  void *p = open_module("libregistry_plugin.so");
  CHECK(modlink_on_change(adds_itself_again, 0) == 0);
  CHECK(p && dlclose(p) == 0);
  CHECK(readded_arrivals == 2); /* two listeners */
  CHECK(readded_departures == 2);
}

static void *forking_listeners_module;
static int in_child;
static void forks_on_arrival(const struct modlink_module *m, int loaded,
                             void *ctx)
{
  (void)ctx;
  if (loaded && named(m, "libregistry_a.so") && fork() == 0)
    in_child = 1;
  if (loaded && named(m, "libregistry_b.so") && forking_listeners_module) {
    void *h = forking_listeners_module;
    forking_listeners_module = 0;
    CHECK(dlclose(h) == 0); /* its listener is dropped */
  }
}

static int b_arrivals;
static void counts_b(const struct modlink_module *m, int loaded, void *ctx)
{
  (void)ctx;
  if (loaded && named(m, "libregistry_b.so"))
    b_arrivals++;
}

static void fork_in_listener(void)
{
  CHECK(modlink_on_change(forks_on_arrival, 0) == 0);
  CHECK((forking_listeners_module = open_module("libadv_listener.so")) != 0);
  int (*listen)(void) = (int (*)(void))dlsym(forking_listeners_module, "adv_listen");
  CHECK(listen && listen() == 0);
  CHECK(modlink_on_change(counts_b, 0) == 0);
  CHECK(open_module("libregistry_a.so") != 0); /* forks */
  CHECK(open_module("libregistry_b.so") != 0);
  CHECK(b_arrivals == 1);
  if (in_child) {
    fflush(stdout);
    _exit(check_failures != 0);
  }
  int status = 0;
  CHECK(wait(&status) > 0);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void *entry_owner;
static int closes_its_module(const struct modlink_module *m, const void *v,
                             void *ctx)
{
  (void)v;
  ++*(int *)ctx;
  if (entry_owner && named(m, "libregistry_plugin.so")) {
    void *h = entry_owner;
    entry_owner = 0;
    CHECK(dlclose(h) == 0); /* unmapped when this returns */
  }
  return 0;
}

static void entry_dlclose(void)
{
  size_t base = modlink_module_count();
  CHECK((entry_owner = open_module("libregistry_plugin.so")) != 0);
  int calls = 0;
  CHECK(modlink_foreach_entry("registry.test", closes_its_module, &calls) == 0);
  CHECK(calls == 1);
  CHECK(entry_owner == 0);
  CHECK(modlink_module_count() == base);
}

/* ---- 3, 4: out of memory ------------------------------------------------ */

static void oom_departure(void)
{
  size_t base = modlink_module_count();
  void *p = open_module("libregistry_plugin.so");
  CHECK(modlink_module_count() == base + 1);
  fail_runtime = FAIL_ALL;
  CHECK(malloc(1) != 0); /* only the runtime's allocations fail */
  CHECK(p && dlclose(p) == 0);
  CHECK(modlink_module_count() == base);
  CHECK(!listed("libregistry_plugin.so"));
  /* What the test prints is buffered (a pipe): exit() must write it after
     every module left, with allocations still failing. */
}

static void oom_first(void)
{
  CHECK(listed("libmodlink.so"));
  CHECK(modlink_find_module((void *)modlink_module_count) != 0);
}

/* ---- 5: a signal storm -------------------------------------------------- */

/* The handler runs in a thread that reads the registry in a loop and in
   the thread that dlopens and dlcloses: there, inside the dynamic loader
   and the registry's writer.  It checks its answers about the program,
   which stays put, and about the module being cycled, whose state the
   cycling thread publishes (cycled_state) around each dlopen and dlclose:
     GONE     dlclose has returned: none of its old addresses is found;
     OPENING  dlopen runs: an old address is not found, or found in a
              module of that name which holds it (mapped there again);
     LOADED   exactly the module dlopen registered, with its name and
              ranges;
     CLOSING  dlclose runs: not found, or the module it registered.
   An answer is judged against the state the handler read before it, and
   only if that state still holds after it (the cycling thread may have
   gone on meanwhile: to load the next module at the same address, say).
   A handler dereferences a module only where it cannot be unmapped under
   it: the cycling thread waits for the handlers that may have read
   OPENING or LOADED (handlers_inside) before it dlcloses. */

#include "mod.h"

enum { GONE, OPENING, LOADED, CLOSING, STATES };
static const char *const state_names[STATES] = {"gone", "opening", "loaded",
                                                "closing"};
/* The cycled modules, and the function that tells each one's addresses
   (mod.h), or none for a module with only a large .bss (adv_bss.c). */
static const struct {
  const char *file, *info;
} cycled_files[] = {{"libregistry_a.so", "registry_a_info"},
                    {"libregistry_b.so", "registry_b_info"},
                    {"libregistry_plugin.so", "registry_plugin_info"},
                    {"libadv_midbss.so", 0}};
enum { CYCLED = sizeof cycled_files / sizeof cycled_files[0] };

/* What the handlers know of cycled module K: addresses only it held when
   last loaded (text, read-only data, data, bss, as in mod_info; NULL where
   it has none), and the module it registered then. */
static struct {
  const void *addr[4];
  const struct modlink_module *m;
} cycled[CYCLED];
/* (how many states were published before) * CYCLED * STATES
   + K * STATES + state */
static unsigned long cycled_state;
static int handlers_inside;

static volatile sig_atomic_t handler_runs, handler_failures;
static volatile sig_atomic_t runs_in[STATES];
static const struct modlink_module *this_module;
static volatile int storm_over;
static pthread_t storm_reader;

/* Whether M's text or data holds ADDR; read-only data (address 1 of
   mod_info), which the API has no accessor for, counts as held. */
static int holds(const struct modlink_module *m, int i, const void *addr)
{
  uintptr_t ts, te, ds, de, a = (uintptr_t)addr;
  modlink_module_text(m, &ts, &te);
  modlink_module_data(m, &ds, &de);
  return i == 1 || (ts <= a && a < te) || (ds <= a && a < de);
}

static int judge_cycled(int k, int state, int i, const void *addr)
{
  const struct modlink_module *m = modlink_find_module(addr);
  const struct modlink_module *registered =
      __atomic_load_n(&cycled[k].m, __ATOMIC_RELAXED);
  switch (state) {
  case GONE:
    return m == 0;
  case OPENING:
    return m == 0 || (named(m, cycled_files[k].file) && holds(m, i, addr));
  case LOADED:
    return m == registered && named(m, cycled_files[k].file) &&
           holds(m, i, addr);
  default: /* CLOSING: not dereferenced, it may be unmapping */
    return m == 0 || m == registered;
  }
}

/* Appends V in hexadecimal at P; async-signal-safe. */
static char *hex(char *p, uintptr_t v)
{
  char digits[2 * sizeof v];
  int n = 0;
  do
    digits[n++] = "0123456789abcdef"[v & 15];
  while (v >>= 4);
  *p++ = '0', *p++ = 'x';
  while (n)
    *p++ = digits[--n];
  return p;
}

static char *text(char *p, const char *s)
{
  while (*s)
    *p++ = *s++;
  return p;
}

static void report_answer(int k, int state, int i, const void *addr)
{
  char buf[256], *p = text(buf, "FAIL: in a handler, ");
  p = text(p, cycled_files[k].file);
  p = text(p, " ");
  p = text(p, state_names[state]);
  p = text(p, ": address ");
  p = hex(p, (uintptr_t)i);
  p = text(p, " ");
  p = hex(p, (uintptr_t)addr);
  p = text(p, " found in ");
  p = hex(p, (uintptr_t)modlink_find_module(addr));
  p = text(p, ", registered ");
  p = hex(p, (uintptr_t)__atomic_load_n(&cycled[k].m, __ATOMIC_RELAXED));
  p = text(p, "\n");
  if (write(1, buf, p - buf) < 0)
    handler_failures++;
}

static void look_up_in_handler(int sig)
{
  (void)sig;
  int saved_errno = errno;
  uintptr_t start, end;
  const struct modlink_module *m = modlink_find_module((void *)look_up_in_handler);
  modlink_module_text(m, &start, &end);
  if (m != this_module || !modlink_module_name(m) ||
      !(start <= CODE_ADDRESS(look_up_in_handler) && CODE_ADDRESS(look_up_in_handler) < end) ||
      modlink_find_module((const void *)&handler_runs) != this_module ||
      modlink_find_module((void *)&start) != 0)
    handler_failures++;

  __atomic_add_fetch(&handlers_inside, 1, __ATOMIC_SEQ_CST);
  unsigned long s = __atomic_load_n(&cycled_state, __ATOMIC_SEQ_CST);
  int k = s / STATES % CYCLED, state = s % STATES;
  int wrong = -1;
  for (int i = 0; i < 4; i++) {
    const void *addr = __atomic_load_n(&cycled[k].addr[i], __ATOMIC_RELAXED);
    if (addr && !judge_cycled(k, state, i, addr))
      wrong = i;
  }
  if (__atomic_load_n(&cycled_state, __ATOMIC_SEQ_CST) == s) {
    if (wrong >= 0) {
      handler_failures++;
      report_answer(k, state, wrong, cycled[k].addr[wrong]);
    }
    runs_in[state]++;
  }
  __atomic_sub_fetch(&handlers_inside, 1, __ATOMIC_SEQ_CST);
  handler_runs++;
  errno = saved_errno;
}

static int visit_and_look_up(const struct modlink_module *m, void *ctx)
{
  (void)ctx;
  /* A module that another thread is unloading may already be gone from
     lookups while it is handed here: only this one stays put. */
  uintptr_t start, end;
  modlink_module_text(m, &start, &end);
  if (m == this_module && modlink_find_module((void *)start) != m)
    handler_failures++;
  return 0;
}

static void *reads_in_a_loop(void *unused)
{
  (void)unused;
  while (!storm_over) {
    modlink_foreach_module(visit_and_look_up, 0);
    (void)modlink_find_module((void *)reads_in_a_loop);
    (void)modlink_module_count();
  }
  return 0;
}

/* Signals the reading thread and the cycling one in turn. */
static pthread_t cycler;
static void *signals_in_a_loop(void *unused)
{
  (void)unused;
  for (unsigned n = 0; !storm_over; n++) {
    pthread_kill(n % 2 ? cycler : storm_reader, SIGUSR1);
    struct timespec ts = {0, 20000};
    nanosleep(&ts, 0);
  }
  return 0;
}

static void publish_state(int k, int state)
{
  static unsigned long published;
  __atomic_store_n(&cycled_state,
                   (++published * CYCLED + k) * STATES + state,
                   __ATOMIC_SEQ_CST);
}

/* Gives the handlers a moment (at most 5 ms) to see STATE, so that every
   state is judged. */
static void linger_in(int state)
{
  sig_atomic_t before = runs_in[state];
  for (int i = 0; i < 50 && runs_in[state] == before; i++) {
    struct timespec ts = {0, 100000};
    nanosleep(&ts, 0);
  }
}

static void cycle_once(int k)
{
  publish_state(k, OPENING);
  void *h = open_module(cycled_files[k].file);
  if (!h)
    return;
  const struct modlink_module *m = module_named(cycled_files[k].file);
  const void *addr[4] = {0};
  if (cycled_files[k].info) {
    mod_info_fn *info = (mod_info_fn *)dlsym(h, cycled_files[k].info);
    CHECK(info != 0);
    if (info) {
      struct mod_info i = info();
      addr[0] = i.text, addr[1] = i.rodata, addr[2] = i.data, addr[3] = i.bss;
    }
  } else {
    char *(*bss)(size_t) = (char *(*)(size_t))dlsym(h, "adv_bss");
    size_t (*size)(void) = (size_t(*)(void))dlsym(h, "adv_bss_size");
    CHECK(bss && size);
    if (bss && size)
      addr[0] = bss(0), addr[2] = bss(size() / 2), addr[3] = bss(size() - 1);
  }
  CHECK(m != 0);
  __atomic_store_n(&cycled[k].m, m, __ATOMIC_RELAXED);
  for (int i = 0; i < 4; i++)
    __atomic_store_n(&cycled[k].addr[i], addr[i], __ATOMIC_RELAXED);
  publish_state(k, LOADED);
  linger_in(LOADED);
  publish_state(k, CLOSING);
  while (__atomic_load_n(&handlers_inside, __ATOMIC_SEQ_CST))
    sched_yield();
  CHECK(dlclose(h) == 0);
  CHECK(module_named(cycled_files[k].file) == 0);
  for (int i = 0; i < 4; i++)
    CHECK(!addr[i] || modlink_find_module(addr[i]) == 0);
  publish_state(k, GONE);
  linger_in(GONE);
}

static void signal_storm(void)
{
  this_module = modlink_self();
  cycler = pthread_self();
  struct sigaction sa = {.sa_handler = look_up_in_handler};
  sigemptyset(&sa.sa_mask);
  CHECK(sigaction(SIGUSR1, &sa, 0) == 0);
  size_t base = modlink_module_count();
  pthread_t signaller;
  CHECK(pthread_create(&storm_reader, 0, reads_in_a_loop, 0) == 0);
  CHECK(pthread_create(&signaller, 0, signals_in_a_loop, 0) == 0);
  time_t until = time(0) + 4;
  long cycles = 0;
  while (time(0) < until || cycles < 50)
    cycle_once(cycles++ % CYCLED);
  storm_over = 1;
  pthread_join(signaller, 0);
  pthread_join(storm_reader, 0);
  CHECK(handler_runs > 0);
  CHECK(runs_in[LOADED] > 0 && runs_in[GONE] > 0);
  CHECK(handler_failures == 0);
  CHECK(modlink_module_count() == base);
  printf("signal-storm: %ld dlopen/dlclose cycles, %d lookups in handlers"
         " (%s %d, %s %d, %s %d, %s %d)\n",
         cycles, (int)handler_runs, state_names[GONE], (int)runs_in[GONE],
         state_names[OPENING], (int)runs_in[OPENING], state_names[LOADED],
         (int)runs_in[LOADED], state_names[CLOSING], (int)runs_in[CLOSING]);
}

/* ---- 6: foreach callbacks left abnormally ------------------------------- */

static jmp_buf out;
static int jumps_out(const struct modlink_module *m, void *ctx)
{
  (void)m;
  (void)ctx;
  longjmp(out, 1);
}
static int entry_jumps_out(const struct modlink_module *m, const void *v,
                           void *ctx)
{
  (void)m;
  (void)v;
  (void)ctx;
  longjmp(out, 1);
}

/* dlopen and dlclose every test module, in a thread of its own. */
static void *cycle_modules(void *unused)
{
  (void)unused;
  const char *files[] = {"libregistry_a.so", "libregistry_b.so",
                         "libregistry_plugin.so"};
  for (int i = 0; i < 3; i++) {
    void *h = open_module(files[i]);
    CHECK(h && dlclose(h) == 0);
  }
  return 0;
}

static void cycle_modules_in_a_thread(void)
{
  pthread_t t;
  CHECK(pthread_create(&t, 0, cycle_modules, 0) == 0);
  CHECK(pthread_join(t, 0) == 0);
}

static int counts_entry(const struct modlink_module *m, const void *v,
                        void *ctx)
{
  (void)m;
  (void)v;
  ++*(int *)ctx;
  return 0;
}

/* Iterates the entries, the first time leaving the callback by longjmp
   (the plugin, which has one, is pinned then), the second time counting
   them: both from this one place, so that the second runs where the
   first's frame was. */
static int iterate_entries(int leave)
{
  int n = 0;
  modlink_foreach_entry("registry.test", leave ? entry_jumps_out : counts_entry,
                        &n);
  return n;
}

static void *closes(void *handle)
{
  CHECK(dlclose(handle) == 0);
  return 0;
}

static void jump_out_of_callbacks(void)
{
  size_t base = modlink_module_count();
  void *p = open_module("libregistry_plugin.so");
  if (!setjmp(out))
    modlink_foreach_module(jumps_out, 0);
  for (volatile int leave = 1; leave >= 0; leave--)
    if (!setjmp(out))
      CHECK(iterate_entries(leave) == 1);
  /* The second iteration found the first one's pin abandoned: the plugin
     can leave, from another thread, without waiting. */
  pthread_t t;
  CHECK(pthread_create(&t, 0, closes, p) == 0);
  CHECK(pthread_join(t, 0) == 0);
  CHECK(modlink_module_count() == base);
  /* Left by longjmp again, then dlopen and dlclose in another thread
     before this one calls into the registry, then in this one. */
  p = open_module("libregistry_plugin.so");
  if (!setjmp(out))
    iterate_entries(1);
  cycle_modules_in_a_thread();
  cycle_modules(0);
  CHECK(p && dlclose(p) == 0);
  CHECK(modlink_module_count() == base);
}

static int jumps_out_on_plugin(const struct modlink_module *m, void *ctx)
{
  (void)ctx;
  if (named(m, "libregistry_plugin.so"))
    longjmp(out, 1);
  return 0;
}

static int counts_module(const struct modlink_module *m, void *ctx)
{
  (void)m;
  ++*(int *)ctx;
  return 0;
}

/* A frame with a large buffer that is hardly written: it covers where the
   abandoned foreach's frame was, and leaves the pin's cookie as it was. */
__attribute__((noinline)) static int load_from_a_big_frame(void)
{
  char path[8192];
  snprintf(path, sizeof path, "%s/libregistry_a.so", dir);
  void *h = dlopen(path, RTLD_NOW);
  CHECK(h != 0);
  int n = 0;
  modlink_foreach_module(counts_module, &n);
  CHECK(h && dlclose(h) == 0);
  return n;
}

static void longjmp_stale(void)
{
  size_t base = modlink_module_count();
  void *p = open_module("libregistry_plugin.so");
  if (!setjmp(out))
    modlink_foreach_module(jumps_out_on_plugin, 0);
  CHECK(load_from_a_big_frame() == (int)base + 2);
  pthread_t t;
  CHECK(pthread_create(&t, 0, closes, p) == 0);
  CHECK(pthread_join(t, 0) == 0);
  CHECK(modlink_module_count() == base);
}

static void *plugin_handle;
static volatile int closer_started, closer_returned;
static void *closes_plugin(void *unused)
{
  (void)unused;
  closer_started = 1;
  CHECK(dlclose(plugin_handle) == 0);
  closer_returned = 1;
  return 0;
}

static mod_info_fn *plugin_info;
static int nested_while_closing_cb(const struct modlink_module *m, void *ctx)
{
  if (!named(m, "libregistry_plugin.so"))
    return 0;
  /* What makes the runtime look for abandoned pins, this one's included. */
  int n = 0;
  modlink_foreach_module(counts_module, &n);
  cycle_modules(0);
  CHECK(pthread_create((pthread_t *)ctx, 0, closes_plugin, 0) == 0);
  while (!closer_started)
    sched_yield();
  struct timespec ts = {0, 200000000};
  nanosleep(&ts, 0);
  modlink_foreach_module(counts_module, &n);
  CHECK(!closer_returned);       /* it waits for this callback */
  CHECK_STR(plugin_info().file, "libregistry_plugin.so"); /* still mapped */
  CHECK(strcmp(modlink_module_name(m), "libregistry_plugin.so") == 0);
  return 0;
}

static void nested_while_closing(void)
{
  size_t base = modlink_module_count();
  plugin_handle = open_module("libregistry_plugin.so");
  CHECK(plugin_handle && (plugin_info = (mod_info_fn *)dlsym(plugin_handle,
                              "registry_plugin_info")) != 0);
  pthread_t closer;
  modlink_foreach_module(nested_while_closing_cb, &closer);
  CHECK(pthread_join(closer, 0) == 0);
  CHECK(closer_returned);
  CHECK(modlink_module_count() == base);
}

static void *leaving_handle;
static volatile int leaving_closer_started;
static int (*leaving_listen)(void);
static void *closes_leaving(void *unused)
{
  (void)unused;
  leaving_closer_started = 1;
  CHECK(dlclose(leaving_handle) == 0); /* waits for the callback below */
  return 0;
}

static int listens_while_leaving(const struct modlink_module *m, void *ctx)
{
  if (!named(m, "libadv_listener.so"))
    return 0;
  CHECK(pthread_create((pthread_t *)ctx, 0, closes_leaving, 0) == 0);
  while (!leaving_closer_started)
    sched_yield();
  struct timespec ts = {0, 200000000};
  nanosleep(&ts, 0);
  CHECK(leaving_listen() == 0); /* a listener in the leaving module */
  return 0;
}

static void listener_while_leaving(void)
{
  void *a = open_module("libregistry_a.so");
  CHECK((leaving_handle = open_module("libadv_listener.so")) != 0);
  CHECK((leaving_listen = (int (*)(void))dlsym(leaving_handle, "adv_listen")) != 0);
  pthread_t closer;
  modlink_foreach_module(listens_while_leaving, &closer);
  CHECK(pthread_join(closer, 0) == 0);
  /* A notification would now call the listener in unmapped code (nothing
     mapped since, so that it cannot land in another module by chance). */
  CHECK(a && dlclose(a) == 0);
}

static void *churns(void *unused)
{
  (void)unused;
  for (;;) {
    void *h = open_module("libregistry_a.so");
    if (h)
      dlclose(h);
  }
  return 0;
}

/* What a child of exit-while-churning wrote to stderr: empty, or one line
   from the loader itself.  glibc's _dl_fini clears each object's
   l_init_called without the loader lock, and that bit shares a word with
   l_visited, which a concurrent dlclose's sort writes under the lock: the
   lost update makes the sort assert ("Inconsistency detected by ld.so:
   dl-sort-maps.c ...") in the churning thread.  It is seen under
   qemu-ppc64, about once in 2,000 exits, and never touches the registry. */
enum child_stderr { STDERR_EMPTY, STDERR_LOADER_RACE, STDERR_OTHER };

static enum child_stderr read_child_stderr(int fd)
{
  char buf[1024];
  size_t len = 0;
  ssize_t n;
  while ((n = read(fd, buf + len, sizeof buf - 1 - len)) > 0)
    len += (size_t)n;
  buf[len] = 0;
  if (len == 0)
    return STDERR_EMPTY;
  if (strncmp(buf, "Inconsistency detected by ld.so: ", 33) == 0 &&
      strchr(buf, '\n') == buf + len - 1)
    return STDERR_LOADER_RACE;
  fprintf(stderr, "%s", buf);
  return STDERR_OTHER;
}

static void exit_while_churning(void)
{
  int judged = 0;
  for (int i = 0; i < 50; i++) {
    int err[2];
    CHECK(pipe(err) == 0);
    pid_t pid = fork();
    if (pid == 0) {
      dup2(err[1], 2);
      close(err[0]);
      close(err[1]);
      signal(SIGALRM, SIG_DFL); /* killed by it, as the parent expects */
      alarm(5);
      pthread_t t;
      pthread_create(&t, 0, churns, 0);
      struct timespec ts = {0, 5000000};
      nanosleep(&ts, 0);
      exit(0); /* the main module leaves while the other thread loads */
    }
    close(err[1]);
    enum child_stderr said = read_child_stderr(err[0]);
    close(err[0]);
    int status = 0;
    CHECK(waitpid(pid, &status, 0) == pid);
    CHECK(said != STDERR_OTHER);
    if (said == STDERR_LOADER_RACE)
      continue; /* the loader's own race decided this exit, not modlink */
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    judged++;
  }
  CHECK(judged >= 45);
}

/* ---- lookups across the address index ----------------------------------- */

/* M's range [START, END): found at both ends and on a walk through it
   (a stride that is no power of two crosses granules at every offset).
   PAST_END: the byte after it is not M's either (true after the data,
   whose end is the end of .bss; text may be followed by M's read-only
   data, as on riscv64). */
static int range_found(const struct modlink_module *m, uintptr_t start,
                       uintptr_t end, int past_end)
{
  if (start >= end)
    return 1;
  uintptr_t stride = (end - start) / 2048 > 4093 ? (end - start) / 2048 : 4093;
  for (uintptr_t a = start; a < end && a >= start; a += stride)
    if (modlink_find_module((void *)a) != m)
      return 0;
  return modlink_find_module((void *)start) == m &&
         modlink_find_module((void *)(end - 1)) == m &&
         (!past_end || modlink_find_module((void *)end) != m);
}

static int all_found(const struct modlink_module *m, void *failures)
{
  uintptr_t ts, te, ds, de;
  modlink_module_text(m, &ts, &te);
  modlink_module_data(m, &ds, &de);
  if (!range_found(m, ts, te, 0) || !range_found(m, ds, de, 1)) {
    printf("FAIL: lookups in %s\n", modlink_module_name(m));
    ++*(int *)failures;
  }
  return 0;
}

static void lookup(void)
{
  int failures = 0;
  void *a = open_module("libregistry_a.so");
  for (int round = 0; round < 150 && !failures; round++) {
    void *big = open_module("libadv_bigbss.so");
    void *mid = open_module("libadv_midbss.so");
    CHECK(big && mid);
    const struct modlink_module *m = module_named("libadv_bigbss.so");
    uintptr_t ts, te, ds, de;
    modlink_module_text(m, &ts, &te);
    modlink_module_data(m, &ds, &de);
    CHECK(de - ds >= 64u << 20);
    modlink_foreach_module(all_found, &failures);
    CHECK(dlclose(mid) == 0 && dlclose(big) == 0);
    CHECK(modlink_find_module((void *)ts) == 0);
    CHECK(modlink_find_module((void *)(ds + (32u << 20))) == 0);
  }
  CHECK(failures == 0);
  modlink_foreach_module(all_found, &failures);
  CHECK(failures == 0);
  CHECK(a && dlclose(a) == 0);
}

static int exits_thread(const struct modlink_module *m, void *ctx)
{
  (void)m;
  (void)ctx;
  pthread_exit(0);
}

static void *iterates_then_exits(void *unused)
{
  (void)unused;
  modlink_foreach_module(exits_thread, 0);
  return 0;
}

static void pthread_exit_in_callback(void)
{
  void *p = open_module("libregistry_plugin.so");
  pthread_t t;
  CHECK(pthread_create(&t, 0, iterates_then_exits, 0) == 0);
  CHECK(pthread_join(t, 0) == 0);
  CHECK(p && dlclose(p) == 0); /* the plugin was pinned by the callback */
  cycle_modules_in_a_thread();
}

static int waits_to_be_cancelled(const struct modlink_module *m, void *ctx)
{
  (void)m;
  (void)ctx;
  for (;;) {
    printf("cancel: in a callback\n"); /* a cancellation point */
    fflush(stdout);
    struct timespec ts = {0, 1000000};
    nanosleep(&ts, 0);
  }
}

static void *iterates_until_cancelled(void *unused)
{
  (void)unused;
  modlink_foreach_module(waits_to_be_cancelled, 0);
  return 0;
}

static void cancel_in_callback(void)
{
  void *p = open_module("libregistry_plugin.so");
  pthread_t t;
  void *result;
  CHECK(pthread_create(&t, 0, iterates_until_cancelled, 0) == 0);
  struct timespec ts = {0, 50000000};
  nanosleep(&ts, 0);
  stage = "cancelling";
  CHECK(pthread_cancel(t) == 0);
  stage = "joining the cancelled thread";
  CHECK(pthread_join(t, &result) == 0);
  CHECK(result == PTHREAD_CANCELED);
  stage = "dlclosing the module its callback had";
  CHECK(p && dlclose(p) == 0);
  stage = "cycling modules in another thread";
  cycle_modules_in_a_thread();
}

static int exits_process(const struct modlink_module *m, const void *v,
                         void *ctx)
{
  (void)m;
  (void)v;
  (void)ctx;
  printf("exit: ok\n"); /* buffered: stdout is a pipe */
  exit(check_failures != 0);
}

static void exit_in_callback(void)
{
  CHECK(open_module("libregistry_plugin.so") != 0);
  modlink_foreach_entry("registry.test", exits_process, 0);
  printf("FAIL: the callback returned\n");
}

static pthread_mutex_t never = PTHREAD_MUTEX_INITIALIZER;
static volatile int blocked_in_callback;
static int blocks_on_plugin(const struct modlink_module *m, void *ctx)
{
  (void)ctx;
  if (named(m, "libregistry_plugin.so")) {
    blocked_in_callback = 1;
    pthread_mutex_lock(&never); /* held by main: waits until the end */
  }
  return 0;
}

static void *iterates_and_blocks(void *unused)
{
  (void)unused;
  modlink_foreach_module(blocks_on_plugin, 0);
  return 0;
}

static void exit_while_pinned(void)
{
  CHECK(open_module("libregistry_plugin.so") != 0);
  pthread_mutex_lock(&never);
  pthread_t t;
  CHECK(pthread_create(&t, 0, iterates_and_blocks, 0) == 0);
  while (!blocked_in_callback)
    sched_yield();
  printf("exit-while-pinned: ok\n"); /* buffered: stdout is a pipe */
  exit(check_failures != 0);
}

/* ---- 8: dlmopen --------------------------------------------------------- */

static void into_new_namespace(void)
{
  size_t base = modlink_module_count();
  void *h = dlmopen(LM_ID_NEWLM, path_of("libregistry_plugin.so"), RTLD_NOW);
  if (!h)
    printf("FAIL: dlmopen: %s\n", dlerror());
  CHECK(modlink_module_count() == base); /* not in this namespace's list */
  CHECK(h && dlclose(h) == 0);
}

int main(int argc, char **argv)
{
  if (argc != 3) {
    fprintf(stderr, "usage: %s SCENARIO DIR\n", argv[0]);
    return 2;
  }
  snprintf(dir, sizeof dir, "%s", argv[2]);
  scenario = argv[1];
  signal(SIGALRM, on_alarm);
  alarm(60);
  static const struct {
    const char *name;
    void (*run)(void);
  } scenarios[] = {
      {"departure-dlopen", departure_dlopen},
      {"listener-order", listener_order},
      {"listener-added-in-departure", listener_added_in_departure},
      {"replay-dlclose", replay_dlclose},
      {"refused-listener", refused_listener},
      {"hooks-listener", hooks_listener},
      {"listener-readded", listener_readded},
      {"fork-in-listener", fork_in_listener},
      {"entry-dlclose", entry_dlclose},
      {"oom-departure", oom_departure},
      {"oom-first", oom_first},
      {"signal-storm", signal_storm},
      {"longjmp", jump_out_of_callbacks},
      {"longjmp-stale", longjmp_stale},
      {"nested-while-closing", nested_while_closing},
      {"listener-while-leaving", listener_while_leaving},
      {"exit-while-churning", exit_while_churning},
      {"lookup", lookup},
      {"lookup-without-index", lookup},
      {"pthread-exit", pthread_exit_in_callback},
      {"cancel", cancel_in_callback},
      {"exit", exit_in_callback},
      {"exit-while-pinned", exit_while_pinned},
      {"dlmopen", into_new_namespace},
  };
  for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++)
    if (strcmp(argv[1], scenarios[i].name) == 0) {
      scenarios[i].run();
      if (!check_failures)
        printf("%s: ok\n", argv[1]);
      return check_failures != 0;
    }
  fprintf(stderr, "%s: unknown scenario '%s'\n", argv[0], argv[1]);
  return 2;
}
