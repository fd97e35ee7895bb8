/* The module registry.
 *
 * The registered modules form a table: the modules in registration order,
 * and their text and data ranges sorted by address for
 * modlink_find_module.  Writers (registration, deregistration, listeners)
 * serialize on one lock.  Readers never lock (readers.h).
 *
 * A registration appends the module to the published table in place: its
 * ranges, then its entry, each made visible by a release store of the
 * count, so that a reader sees whole entries or none.  Only when the table
 * is full does a registration build a new one, with room for twice its
 * live modules, without the departed entries and its ranges sorted afresh; it publishes it with
 * one atomic store and frees the table it replaced once no reader can hold
 * it: at once when the readers of other threads leave within a few
 * microseconds, else after a later grace period.  So 200 modules loading
 * at startup cost a handful of tables, not one each, and dlopen never
 * waits for a foreach callback.
 *
 * Each registered module has a record, allocated at its registration, that
 * counts the foreach callbacks running on it (pins).  A foreach holds no
 * read section while its callback runs: it pins the module inside a short
 * section, and unpins it after.  So a callback that never returns (left by
 * longjmp in another thread) delays only the departure of the module it was
 * handed, never other dlopens and dlcloses.
 *
 * A departure allocates nothing, so it cannot fail: it tells the listeners
 * while the module is still found, then clears the module's entries in
 * place (the table's module and its ranges become NULL, which readers skip)
 * in the published table and in every replaced one a reader may still hold,
 * waits until no reader can still see the module and no callback of
 * another thread runs on it: after that ld.so may unmap it.  The next
 * table built leaves the cleared entries out.
 *
 * The first table, holding the module that contains this runtime (when its
 * stub registers it statically), lives in static storage: it needs no
 * allocation, and readers can make it without a lock.
 *
 * Lifecycle of a module (docs/design.md has the picture):
 *   .init_array.00000  stub -> modlink_addmoduledata -> modlink__register
 *   ...its constructors, its life, its destructors...
 *   .fini_array.00000  stub -> modlink_delmoduledata -> modlink__deregister */
#define _GNU_SOURCE
#include <modlink.h>

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <link.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addrindex.h"
#include "instance.h"
#include "moduledata.h"
#include "pins.h"
#include "readers.h"

/* Entries that a departure clears while readers read them. */
#define LOAD(p) __atomic_load_n(&(p), __ATOMIC_RELAXED)
#define CLEAR(p) __atomic_store_n(&(p), 0, __ATOMIC_RELAXED)

struct range {
  uintptr_t start, end;
  const struct modlink_moduledata *md; /* NULL once departed */
  struct module *m;                    /* the writer's: which module */
};

enum { RANGES = 3 }; /* per module: text, read-only data, data */

/* A registered module, from its registration to its departure. */
struct module {
  const struct modlink_moduledata *md;
  unsigned long serial; /* its registration number */
  unsigned long refs;   /* 1 for the registry while registered, and 1 per
                           foreach callback running on it */
  bool leaving;         /* departing: no new pins, no replay */
};

struct table {
  size_t count;    /* entries in modules[], departed ones included;
                      grows in place (release store) */
  size_t capacity; /* room in modules[] and serials[], and for RANGES
                      ranges per module in ranges[] */
  size_t live;     /* modules not departed */
  size_t nranges;  /* non-empty ranges; grows in place (release store) */
  size_t nsorted;  /* the first NSORTED, from when the table was built,
                      are sorted by start and disjoint; those appended
                      after them are not */
  struct module **modules; /* registration order; NULL once departed */
  unsigned long *serials;  /* each module's registration number, rising */
  struct range *ranges;
  struct table *retired_next; /* replaced, waiting to be freed */
};

struct listener {
  modlink_change_fn *fn; /* NULL once dropped */
  void *ctx;
  /* What it heard: the modules registered up to REPLAY_END are told by
     modlink_on_change's replay, in order, up to TOLD_UPTO so far (all of
     them once it is ULONG_MAX); later ones by notifications. */
  unsigned long told_upto, replay_end;
  unsigned long id;   /* which modlink_on_change added it */
  const void *object; /* the loaded object holding FN */
};

static bool heard_of(const struct listener *l, unsigned long serial)
{
  return serial <= l->told_upto || serial > l->replay_end;
}

static struct {
  pthread_mutex_t lock;   /* writers only; recursive for listeners */
  struct table *current;  /* NULL until the first table is made */
  struct table *retired;  /* replaced tables a reader may still hold */
  struct modlink__addr_index *index; /* NULL: none (readers search the
                                        table's ranges) */
  struct modlink__addr_index *retired_indexes;
  struct listener *listeners;
  size_t nlisteners, cap;
  unsigned notifying;     /* notifications running: the listener array is
                             compacted only when none is */
  unsigned long listener_ids;
  unsigned writer_depth;  /* the writer lock's recursion, for fork */
  unsigned long serial;   /* registrations so far; 1 is the first table's */
  bool started;
  bool exiting;           /* the process is in exit() */
} reg = {.lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP, .serial = 1};

/* ---- ranges ------------------------------------------------------------- */

/* A module's ranges, in the order of range_names. */
static const char *const range_names[RANGES] = {"text", "read-only data",
                                                "data"};
static void ranges_of(const struct modlink_moduledata *md,
                      struct range out[RANGES])
{
  out[0] = (struct range){md->text_start, md->text_end, md, 0};
  out[1] = (struct range){md->rodata_start, md->rodata_end, md, 0};
  out[2] = (struct range){md->data_start, md->data_end, md, 0};
}

/* MD's non-empty ranges, sorted by start, those that overlap merged into
   one; returns how many.  (The linker script gives them distinct output
   sections, but module data made by hand may nest them: the table's
   ranges must be disjoint for its binary searches.) */
static size_t sorted_ranges_of(const struct modlink_moduledata *md,
                               struct range out[RANGES])
{
  struct range r[RANGES];
  ranges_of(md, r);
  size_t n = 0;
  for (int k = 0; k < RANGES; k++) {
    if (r[k].start >= r[k].end)
      continue;
    size_t at = n++;
    for (; at > 0 && out[at - 1].start > r[k].start; at--)
      out[at] = out[at - 1];
    out[at] = r[k];
  }
  size_t merged = 0;
  for (size_t k = 0; k < n; k++) {
    if (merged > 0 && out[k].start < out[merged - 1].end) {
      if (out[k].end > out[merged - 1].end)
        out[merged - 1].end = out[k].end;
    } else {
      out[merged++] = out[k];
    }
  }
  return merged;
}

/* The last of T's sorted ranges that starts at or below A, or NULL.
   Branch-free halving (the comparison becomes a conditional move):
   lookups of unrelated addresses defeat the branch predictor, and a
   mispredicted branch at every level cost more than the rest of the
   search. */
static const struct range *sorted_at_or_below(const struct table *t,
                                              uintptr_t a)
{
  size_t n = t->nsorted;
  if (n == 0 || t->ranges[0].start > a)
    return 0;
  const struct range *base = t->ranges; /* the answer is in [base, base+n) */
  while (n > 1) {
    size_t half = n / 2;
    base = base[half].start <= a ? base + half : base;
    n -= half;
  }
  return base;
}

/* The range of a registered module that holds A, or NULL: in the sorted
   ranges, else in those appended since.  Readers search it only when
   there is no address index (out of memory). */
static const struct range *range_holding(const struct table *t, uintptr_t a)
{
  const struct range *r = sorted_at_or_below(t, a);
  if (r && a < r->end && LOAD(r->md))
    return r;
  size_t n = __atomic_load_n(&t->nranges, __ATOMIC_ACQUIRE);
  for (size_t i = t->nsorted; i < n; i++) {
    r = &t->ranges[i];
    if (r->start <= a && a < r->end && LOAD(r->md))
      return r;
  }
  return 0;
}

/* ---- tables ------------------------------------------------------------- */

static struct {
  struct table t;
  struct module own;
  struct module *modules[1];
  unsigned long serials[1];
  struct range ranges[RANGES];
} first;

/* The first table: the module that contains this runtime, registered
   statically when its stub says so (MODLINK_MD_STATIC), else nothing.
   Made without a lock, so that a reader in a signal handler can make it
   (before the constructors run; they make it): the first caller to claim
   it makes it.  A reader that finds it being made by another (or by the
   code its signal interrupted) sees no module yet; a writer waits. */
static struct table empty_table;
static int first_state; /* 0: not made, 1: being made, 2: made */

static struct table *make_first_table(void)
{
  const struct modlink_moduledata *own = &modlink__own_moduledata;
  size_t n = own->magic == MODLINK_MAGIC && (own->flags & MODLINK_MD_STATIC);
  first.t.modules = first.modules;
  first.t.serials = first.serials;
  first.t.ranges = first.ranges;
  first.t.count = first.t.live = n;
  first.t.capacity = 1;
  first.own = (struct module){.md = own, .serial = 1, .refs = 1};
  first.modules[0] = n ? &first.own : 0;
  first.serials[0] = 1;
  first.t.nranges = first.t.nsorted =
      n ? sorted_ranges_of(own, first.ranges) : 0;
  for (size_t k = 0; k < first.t.nranges; k++)
    first.ranges[k].m = &first.own;
  __atomic_store_n(&reg.current, &first.t, __ATOMIC_SEQ_CST);
  __atomic_store_n(&first_state, 2, __ATOMIC_RELEASE);
  return &first.t;
}

static struct table *current_table_for(bool writer)
{
  struct table *t = __atomic_load_n(&reg.current, __ATOMIC_ACQUIRE);
  if (__builtin_expect(t != 0, 1))
    return t;
  int unmade = 0;
  if (__atomic_compare_exchange_n(&first_state, &unmade, 1, false,
                                  __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
    return make_first_table();
  if (!writer)
    return &empty_table;
  while (__atomic_load_n(&first_state, __ATOMIC_ACQUIRE) != 2)
    ; /* a reader of another thread makes it: a few instructions */
  return __atomic_load_n(&reg.current, __ATOMIC_ACQUIRE);
}

static struct table *current_table(void) { return current_table_for(true); }

static struct table *table_new(size_t capacity)
{
  struct table *t = malloc(sizeof *t + capacity * sizeof t->modules[0] +
                           capacity * sizeof t->serials[0] +
                           RANGES * capacity * sizeof t->ranges[0]);
  if (!t)
    return 0;
  *t = (struct table){.capacity = capacity};
  t->ranges = (struct range *)(t + 1);
  t->modules = (struct module **)(t->ranges + RANGES * capacity);
  t->serials = (unsigned long *)(t->modules + capacity);
  return t;
}

static int by_start(const void *a, const void *b)
{
  const struct range *x = a, *y = b;
  return (x->start > y->start) - (x->start < y->start);
}

/* A new table with room for CAPACITY modules, holding T's modules that
   have not departed, and their ranges sorted.  NULL when out of memory. */
static struct table *table_rebuilt(const struct table *t, size_t capacity)
{
  struct table *n = table_new(capacity);
  if (!n)
    return 0;
  for (size_t i = 0; i < t->count; i++)
    if (t->modules[i]) {
      n->modules[n->count] = t->modules[i];
      n->serials[n->count++] = t->serials[i];
    }
  n->live = n->count;
  for (size_t i = 0; i < t->nranges; i++)
    if (t->ranges[i].md)
      n->ranges[n->nranges++] = t->ranges[i];
  qsort(n->ranges, n->nranges, sizeof n->ranges[0], by_start);
  n->nsorted = n->nranges;
  return n;
}

/* Appends M to T, which has room: its ranges, then its entry, each
   published by a release store of the count that covers it. */
static void table_append(struct table *t, struct module *m)
{
  struct range mine[RANGES];
  size_t nmine = sorted_ranges_of(m->md, mine);
  for (size_t k = 0; k < nmine; k++) {
    mine[k].m = m;
    t->ranges[t->nranges + k] = mine[k];
  }
  __atomic_store_n(&t->nranges, t->nranges + nmine, __ATOMIC_RELEASE);
  t->modules[t->count] = m;
  t->serials[t->count] = m->serial;
  __atomic_store_n(&t->count, t->count + 1, __ATOMIC_RELEASE);
  __atomic_store_n(&t->live, t->live + 1, __ATOMIC_RELAXED);
}

/* The range of T that starts at START and belongs to a module that has
   not departed, MD's: in the sorted ranges, else in those appended since.
   NULL when there is none.  (A departed module's record may have been
   freed and another allocated where it was: its ranges, cleared, are
   not the other's.) */
static struct range *live_range_at(const struct table *t, uintptr_t start,
                                   const struct modlink_moduledata *md)
{
  struct range *r = (struct range *)sorted_at_or_below(t, start);
  if (r && r->start == start && r->md == md)
    return r;
  for (size_t i = t->nsorted; i < t->nranges; i++)
    if (t->ranges[i].start == start && t->ranges[i].md == md)
      return &t->ranges[i];
  return 0;
}

static size_t first_after(const struct table *t, unsigned long after);

/* M leaves T: readers that still hold T skip it from now on. */
static void table_clear(struct table *t, struct module *m)
{
  size_t i = first_after(t, m->serial - 1);
  if (i < t->count && t->serials[i] == m->serial && t->modules[i] == m) {
    CLEAR(t->modules[i]);
    __atomic_store_n(&t->live, t->live - 1, __ATOMIC_RELAXED);
  }
  struct range mine[RANGES];
  size_t nmine = sorted_ranges_of(m->md, mine);
  for (size_t k = 0; k < nmine; k++) {
    struct range *r = live_range_at(t, mine[k].start, m->md);
    if (r && r->m == m)
      CLEAR(r->md);
  }
}

/* The index of T's first entry registered after number AFTER (serials
   rise with the index), or T's count. */
static size_t first_after(const struct table *t, unsigned long after)
{
  size_t lo = 0, hi = __atomic_load_n(&t->count, __ATOMIC_ACQUIRE);
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (t->serials[mid] <= after)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

/* MD's registered module in T, or NULL: found through its first range. */
static struct module *table_find(const struct table *t,
                                 const struct modlink_moduledata *md)
{
  struct range mine[RANGES];
  if (sorted_ranges_of(md, mine) == 0) {
    for (size_t i = 0; i < t->count; i++)
      if (t->modules[i] && t->modules[i]->md == md)
        return t->modules[i];
    return 0;
  }
  const struct range *r = live_range_at(t, mine[0].start, md);
  return r ? r->m : 0;
}

/* A range of a registered module that overlaps [START, END), or NULL.
   Among the sorted ranges, which are disjoint, those that overlap are the
   ones below END whose end lies above START: a run just below END. */
static const struct range *range_overlapping(const struct table *t,
                                             uintptr_t start, uintptr_t end)
{
  const struct range *below = end ? sorted_at_or_below(t, end - 1) : 0;
  for (size_t i = below ? (size_t)(below - t->ranges) + 1 : 0;
       i > 0 && t->ranges[i - 1].end > start; i--)
    if (t->ranges[i - 1].md)
      return &t->ranges[i - 1];
  for (size_t i = t->nsorted; i < t->nranges; i++)
    if (t->ranges[i].md && t->ranges[i].start < end &&
        start < t->ranges[i].end)
      return &t->ranges[i];
  return 0;
}

/* ---- the address index (addrindex.h) ----------------------------------- */

static void retire_index_locked(void)
{
  struct modlink__addr_index *x = reg.index;
  if (!x)
    return;
  __atomic_store_n(&reg.index, 0, __ATOMIC_RELEASE);
  x->retired_next = reg.retired_indexes;
  reg.retired_indexes = x;
}

/* Enters MD, whose ranges N holds, into the index, in place when it fits;
   else builds a new index from all of N's ranges.
   Without memory, readers search the ranges until a later registration
   builds an index again. */
static void index_add_locked(const struct table *n,
                             const struct modlink_moduledata *md)
{
  struct range mine[RANGES];
  ranges_of(md, mine);
  size_t more = 0;
  for (int k = 0; k < RANGES; k++)
    more += modlink__index_entries(mine[k].start, mine[k].end);
  if (reg.index && modlink__index_fits(reg.index, more)) {
    for (int k = 0; k < RANGES; k++)
      modlink__index_insert(reg.index, mine[k].start, mine[k].end, md);
    return;
  }
  size_t all = 0;
  for (size_t i = 0; i < n->nranges; i++)
    if (n->ranges[i].md)
      all += modlink__index_entries(n->ranges[i].start, n->ranges[i].end);
  struct modlink__addr_index *x = modlink__index_new(2 * all);
  retire_index_locked();
  if (!x)
    return;
  for (size_t i = 0; i < n->nranges; i++)
    if (n->ranges[i].md)
      modlink__index_insert(x, n->ranges[i].start, n->ranges[i].end,
                            n->ranges[i].md);
  __atomic_store_n(&reg.index, x, __ATOMIC_RELEASE);
}

/* MD leaves every index a reader may hold. */
static void index_clear_locked(const struct modlink_moduledata *md)
{
  struct range mine[RANGES];
  ranges_of(md, mine);
  for (int k = 0; k < RANGES; k++) {
    if (reg.index)
      modlink__index_clear(reg.index, mine[k].start, mine[k].end, md);
    for (struct modlink__addr_index *x = reg.retired_indexes; x;
         x = x->retired_next)
      modlink__index_clear(x, mine[k].start, mine[k].end, md);
  }
}

static void free_retired_locked(void)
{
  while (reg.retired_indexes) {
    struct modlink__addr_index *x = reg.retired_indexes;
    reg.retired_indexes = x->retired_next;
    modlink__index_free(x);
  }
  while (reg.retired) {
    struct table *t = reg.retired;
    reg.retired = t->retired_next;
    free(t);
  }
}

/* fork() copies the counters of readers that do not exist in the child,
   the pins of their foreach callbacks, and the writer lock.  The writer
   lock is taken around fork, so that no other thread is halfway through a
   write; the child, whose one thread has a new identity, makes the lock
   anew, held as deep as the forking thread held it (it may fork from a
   listener).  Only the forking thread's own pins still count. */
static int lock_writer(void);
static void unlock_writer(int *cancel);
static int cancel_at_fork;

static void before_fork(void) { cancel_at_fork = lock_writer(); }
static void after_fork_in_parent(void) { unlock_writer(&cancel_at_fork); }

static void after_fork_in_child(void)
{
  modlink__readers_after_fork();
  pthread_mutex_t fresh = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
  reg.lock = fresh;
  for (unsigned i = 0; i < reg.writer_depth; i++)
    pthread_mutex_lock(&reg.lock);
  if (__atomic_load_n(&first_state, __ATOMIC_ACQUIRE) == 1)
    make_first_table(); /* its maker does not exist in the child */
  const struct table *t = current_table();
  for (size_t i = 0; i < t->count; i++)
    if (t->modules[i])
      t->modules[i]->refs = 1 + modlink__pins_on(t->modules[i]);
  unlock_writer(&cancel_at_fork);
}

/* Every writer starts here, with the lock held: pins this thread left by
   longjmp are dropped first, so that no departure waits for them. */
static struct table *writer_enter_locked(void)
{
  if (!reg.started) {
    reg.started = true;
    pthread_atfork(before_fork, after_fork_in_parent, after_fork_in_child);
  }
  modlink__pins_drop_abandoned(0);
  modlink__readers_writer_started();
  return current_table();
}

/* Returns the cancellation state to restore: a writer is not cancelled
   halfway (its waits sleep, and its notices print: cancellation points). */
static int lock_writer(void)
{
  int cancel;
  pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel);
  pthread_mutex_lock(&reg.lock);
  reg.writer_depth++;
  return cancel;
}
static void unlock_writer(int *cancel)
{
  int restore = *cancel; /* read while locked: see cancel_at_fork */
  reg.writer_depth--;
  pthread_mutex_unlock(&reg.lock);
  pthread_setcancelstate(restore, 0);
}
/* The writer lock, released at the end of the scope, also when a listener
   throws (C++). */
#define WRITER_SCOPE()                                                        \
  int writer_scope __attribute__((cleanup(unlock_writer), unused)) =         \
      lock_writer()

/* In exit(), a departure waits at most a second for the callbacks of other
   threads: they may be waiting for the exiting thread.  (It cannot skip
   the wait: another thread may still dlclose, and so unmap, a module that
   _dl_fini finalized.)  The process is known to exit when the main
   program's module leaves: it is never dlclosed, and ld.so's _dl_fini
   calls it first.  (An atexit handler would not do: one that the program
   registered earlier may still dlclose a module.) */
static bool is_main_program(const void *object)
{
  const struct link_map *map = object;
  return map && map->l_name && map->l_name[0] == 0;
}

/* The first table and the fork handler exist before main, so that a signal
   handler's first read makes nothing. */
__attribute__((constructor)) static void start_registry(void)
{
  WRITER_SCOPE();
  writer_enter_locked();
}

/* ---- listeners ---------------------------------------------------------- */

static void compact_listeners_locked(void)
{
  size_t kept = 0;
  for (size_t i = 0; i < reg.nlisteners; i++)
    if (reg.listeners[i].fn)
      reg.listeners[kept++] = reg.listeners[i];
  reg.nlisteners = kept;
}

static void end_notification(unsigned *unused)
{
  (void)unused;
  if (--reg.notifying == 0)
    compact_listeners_locked();
}

static void notify_locked(const struct module *m, int loaded)
{
  /* By index, up to the listeners there were: a listener may add
     listeners, and those heard of M when they were added.  Dropped
     listeners keep their place until no notification runs, so that no
     listener moves under a running one.  A departure is told only to the
     listeners that heard of the arrival (a replay may not have reached
     it). */
  size_t n = reg.nlisteners;
  unsigned scope __attribute__((cleanup(end_notification), unused)) =
      reg.notifying++;
  for (size_t i = 0; i < n; i++) {
    struct listener l = reg.listeners[i];
    if (l.fn && (loaded || heard_of(&l, m->serial)))
      l.fn((const struct modlink_module *)m->md, loaded, l.ctx);
  }
}

/* The listener added with ID, or NULL (dropped with its module).  Not by
   function and context: a listener may add itself again. */
static struct listener *listener_of(unsigned long id)
{
  for (size_t i = 0; i < reg.nlisteners; i++)
    if (reg.listeners[i].id == id && reg.listeners[i].fn)
      return &reg.listeners[i];
  return 0;
}

/* The loaded object (its link map) holding A, or NULL.  _dl_find_object
   takes no lock: dladdr would take the loader's, and a writer holding the
   registry's lock must not, or it deadlocks with a thread in dlopen (which
   holds the loader's lock and waits for the registry's). */
static const void *object_of(const void *a)
{
  struct dl_find_object found;
  return _dl_find_object((void *)a, &found) == 0 ? found.dlfo_link_map : 0;
}

/* Listeners whose code lives in OBJECT (the file of a departing or a
   refused module) would be called after it is unmapped.  By file, not by
   the module's text: a listener may live outside .text, and refused module
   data may not be trustworthy. */
static void drop_listeners_in_object_locked(const void *object)
{
  if (!object)
    return;
  for (size_t i = 0; i < reg.nlisteners; i++)
    if (reg.listeners[i].fn && reg.listeners[i].object == object)
      reg.listeners[i].fn = 0;
  if (!reg.notifying)
    compact_listeners_locked();
}

/* ---- registration ------------------------------------------------------- */

static bool verify_locked(const struct table *t,
                          const struct modlink_moduledata *md)
{
  if (md->magic != MODLINK_MAGIC) {
    modlink__complain("refusing module '%s' (module data at %p): bad magic "
                      "0x%08x, expected 0x%08x",
                      modlink__name_of(md), (const void *)md,
                      (unsigned)md->magic, MODLINK_MAGIC);
    return false;
  }
  if (md->abi_version != MODLINK_ABI_VERSION) {
    modlink__complain("refusing module '%s': module ABI version %u, this "
                      "runtime supports %u",
                      md->name, md->abi_version, MODLINK_ABI_VERSION);
    return false;
  }
  if (md->text_start > md->text_end || md->data_start > md->data_end ||
      md->rodata_start > md->rodata_end || md->entries_start > md->entries_end) {
    modlink__complain("refusing module '%s': inverted bounds", md->name);
    return false;
  }
  if (table_find(t, md)) {
    modlink__complain("refusing module '%s': already registered", md->name);
    return false;
  }
  struct range mine[RANGES];
  ranges_of(md, mine);
  for (int i = 0; i < RANGES; i++) {
    const struct range *r = range_overlapping(t, mine[i].start, mine[i].end);
    if (r) {
      modlink__complain("refusing module '%s': its %s [%#lx, %#lx) overlaps "
                        "module '%s'",
                        md->name, range_names[i], (unsigned long)mine[i].start,
                        (unsigned long)mine[i].end, r->md->name);
      return false;
    }
  }
  return true;
}

enum { FIRST_CAPACITY = 16 };

static void register_module(const struct modlink_moduledata *md)
{
  WRITER_SCOPE();
  struct table *t = writer_enter_locked();
  if (!verify_locked(t, md))
    return;
  struct module *m = malloc(sizeof *m);
  /* In place while T has room; else a table twice as large as its live
     modules need, which also drops the departed ones. */
  bool in_place = t != &first.t && t->count < t->capacity;
  struct table *n =
      in_place ? t
               : table_rebuilt(t, t->live < FIRST_CAPACITY / 2
                                      ? FIRST_CAPACITY
                                      : 2 * (t->live + 1));
  if (!n || !m) {
    free(m);
    if (n != t)
      free(n);
    modlink__complain("refusing module '%s': out of memory", md->name);
    return;
  }
  *m = (struct module){.md = md, .serial = ++reg.serial, .refs = 1};
  table_append(n, m);
  index_add_locked(n, md);
  if (!in_place) {
    __atomic_store_n(&reg.current, n, __ATOMIC_SEQ_CST);
    if (t != &first.t) {
      t->retired_next = reg.retired;
      reg.retired = t;
    }
  }
  /* What was replaced (a table, an index, now or by an earlier writer) is
     freed once no reader holds it; a registration when nothing waits to be
     freed makes no grace period. */
  if ((reg.retired || reg.retired_indexes) &&
      modlink__grace_period(MODLINK_WAIT_BRIEFLY))
    free_retired_locked();
  notify_locked(m, 1);
}

/* ---- pins: a foreach callback's hold on its module --------------------- */

static void unref(struct module *m)
{
  if (__atomic_sub_fetch(&m->refs, 1, __ATOMIC_ACQ_REL) == 0)
    free(m);
}

void modlink__pin_dropped(void *m) { unref(m); }

/* Waits until no other thread's callback runs on M (the registry's
   reference and this thread's own pins remain), saying so once when that
   lasts a second.  At exit, gives up then: a callback of another thread
   may be waiting for the exiting one. */
static void wait_for_pins(struct module *m)
{
  unsigned long mine = 1 + modlink__pins_on(m);
  double start = modlink__now();
  bool told = false;
  for (unsigned round = 0;
       __atomic_load_n(&m->refs, __ATOMIC_ACQUIRE) > mine; round++) {
    if (!told && modlink__now() - start > 1.0) {
      told = true;
      bool exiting = __atomic_load_n(&reg.exiting, __ATOMIC_RELAXED);
      modlink__notice("module '%s' is leaving, and has waited 1 s for "
                      "another thread: a modlink_foreach_module or "
                      "modlink_foreach_entry callback there has not "
                      "returned, or its thread left it by longjmp%s",
                      m->md->name,
                      exiting ? "; the process exits, and waits no longer"
                              : "");
      if (exiting)
        return;
    }
    modlink__pause(round);
  }
}

/* The part of a departure that holds the writer lock; returns M, whose
   pins the caller waits for, or NULL when MD was never registered. */
static struct module *depart_locked(const struct modlink_moduledata *md,
                                    const void *object)
{
  WRITER_SCOPE();
  struct module *m = table_find(writer_enter_locked(), md);
  if (!m) {
    /* Refused, so never added; but its constructors may have added
       listeners, which must not outlive it. */
    drop_listeners_in_object_locked(object);
    return 0;
  }
  if (is_main_program(object))
    __atomic_store_n(&reg.exiting, true, __ATOMIC_RELAXED);
  /* Leaving first: a listener that iterates or adds a listener now no
     longer sees it, and would not hear it leave. */
  __atomic_store_n(&m->leaving, true, __ATOMIC_SEQ_CST);
  /* Listeners may dlopen or dlclose: tables are looked up again after. */
  notify_locked(m, 0);
  drop_listeners_in_object_locked(object);
  table_clear(current_table(), m);
  for (struct table *t = reg.retired; t; t = t->retired_next)
    table_clear(t, m);
  index_clear_locked(md);
  /* After the grace period no reader holds M without a pin, and every pin
     taken before M was leaving is counted in M's references. */
  if (modlink__grace_period(MODLINK_WAIT_FOREVER))
    free_retired_locked();
  return m;
}

static void deregister_module(const struct modlink_moduledata *md)
{
  const void *object = object_of(md);
  struct module *m = depart_locked(md, object);
  if (!m)
    return;
  /* Without the writer lock: a callback that waits for it (it adds a
     listener, say) would wait for this wait. */
  int cancel;
  pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel);
  wait_for_pins(m);
  pthread_setcancelstate(cancel, 0);
  {
    /* A callback that ran meanwhile may have added a listener that lives
       in this module. */
    WRITER_SCOPE();
    drop_listeners_in_object_locked(object);
  }
  unref(m); /* the registry's reference; a pin of this thread may outlive
               it, and then frees M */
}

/* Called by modlink_addmoduledata / modlink_delmoduledata, the entry
   points of the stubs; they reach the process's runtime. */
void modlink__register(const struct modlink_moduledata *md)
{
  modlink__runtime()->register_module(md);
}

void modlink__deregister(const struct modlink_moduledata *md)
{
  modlink__runtime()->deregister_module(md);
}

/* ---- readers ------------------------------------------------------------ */

/* A read section, ended with its scope. */
#define READ_SECTION(s)                                                       \
  struct modlink__section s __attribute__((cleanup(modlink__read_end))) = {   \
      modlink__read_enter()}

/* In a read section: the table loaded after the section entered. */
static const struct table *read_table(void)
{
  struct table *t = __atomic_load_n(&reg.current, __ATOMIC_ACQUIRE);
  return t ? t : current_table_for(false);
}

/* Async-signal-safe, as modlink_find_module promises. */
static size_t module_count(void)
{
  READ_SECTION(s);
  return __atomic_load_n(&read_table()->live, __ATOMIC_RELAXED);
}

/* References the first module registered after number *AFTER that is not
   leaving, and moves *AFTER to it; NULL when there is none. */
static struct module *ref_next(unsigned long *after)
{
  READ_SECTION(s);
  const struct table *t = read_table();
  size_t count = __atomic_load_n(&t->count, __ATOMIC_ACQUIRE);
  for (size_t i = first_after(t, *after); i < count; i++) {
    struct module *m = LOAD(t->modules[i]);
    if (!m)
      continue;
    /* Counted before LEAVING is read: a departure that set LEAVING before
       this increment waits for this section, then sees the reference. */
    __atomic_add_fetch(&m->refs, 1, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&m->leaving, __ATOMIC_SEQ_CST)) {
      unref(m);
      continue;
    }
    *after = t->serials[i];
    return m;
  }
  return 0;
}

/* A foreach step: the next module, pinned; dropped at the end of the
   step's scope, also when the callback throws (C++) or its thread is
   cancelled.  A pin left by longjmp is dropped later (pins.h). */
struct step {
  struct module *m;
  size_t place;
  uintptr_t cookie; /* see pins.h */
};

/* 1: ST holds the next module; 0: there is none; -1: its pin could not be
   recorded (out of memory, callbacks nested deeper than the inline pins),
   errno is ENOMEM.  An unrecorded pin would not be known as this thread's
   own, and a callback that dlcloses its module would wait for itself. */
__attribute__((noinline, noclone)) static int
step_next(struct step *st, unsigned long *after)
{
  modlink__pins_drop_abandoned((uintptr_t)&st->cookie);
  struct module *m = ref_next(after);
  if (!m)
    return 0;
  /* ST lives in the frame of the function this returns to (noinline). */
  st->place = modlink__pin(m, &st->cookie, __builtin_return_address(0));
  if (st->place == MODLINK_UNTRACKED) {
    unref(m);
    errno = ENOMEM;
    return -1;
  }
  st->m = m;
  return 1;
}

static void step_end(struct step *st)
{
  if (st->m)
    modlink__unpin(st->place);
}

/* Calls VISIT on each module in turn, pinned, until it returns non-zero;
   returns that, 0 at the end, or -1 (errno ENOMEM) from step_next. */
static int each_pinned_module(int (*visit)(struct module *m, void *arg),
                              void *arg)
{
  int r = 0;
  unsigned long after = 0;
  while (!r) {
    struct step st __attribute__((cleanup(step_end))) = {0, 0, 0};
    int got = step_next(&st, &after);
    if (got <= 0)
      return got;
    r = visit(st.m, arg);
  }
  return r;
}

struct module_visit {
  modlink_module_fn *fn;
  void *ctx;
};

static int visit_module(struct module *m, void *arg)
{
  struct module_visit *v = arg;
  return v->fn((const struct modlink_module *)m->md, v->ctx);
}

static int foreach_module(modlink_module_fn *fn, void *ctx)
{
  struct module_visit v = {fn, ctx};
  return each_pinned_module(visit_module, &v);
}

/* Async-signal-safe.  Its section is entered and left by hand, so that
   the record stays in a register. */
static inline __attribute__((always_inline)) const struct modlink_module *
look_up(const void *addr)
{
  struct modlink__reader *r = modlink__read_enter();
  const struct modlink__addr_index *x =
      __atomic_load_n(&reg.index, __ATOMIC_ACQUIRE);
  const struct modlink_moduledata *md;
  if (__builtin_expect(x != 0, 1)) {
    md = modlink__index_lookup(x, (uintptr_t)addr);
  } else {
    const struct range *found = range_holding(read_table(), (uintptr_t)addr);
    md = found ? LOAD(found->md) : 0;
  }
  modlink__read_leave(r);
  return (const struct modlink_module *)md;
}

static const struct modlink_module *find_module(const void *addr)
{
  return look_up(addr);
}

struct entry_visit {
  const char *kind;
  modlink_entry_fn *fn;
  void *ctx;
};

static int visit_entries(struct module *m, void *arg)
{
  struct entry_visit *v = arg;
  const struct modlink_moduledata *md = m->md;
  int r = 0;
  /* A callback that dlcloses this module (this thread's own pin is not
     waited for) leaves it unmapped: its entries are read no further. */
  for (const struct modlink_entry__ *e = md->entries_start;
       !r && !__atomic_load_n(&m->leaving, __ATOMIC_SEQ_CST) &&
       e < md->entries_end;
       e++)
    /* A null kind is padding the compiler put between entries. */
    if (e->kind && strcmp(e->kind, v->kind) == 0)
      r = v->fn((const struct modlink_module *)md, e->value, v->ctx);
  return r;
}

static int foreach_entry(const char *kind, modlink_entry_fn *fn, void *ctx)
{
  struct entry_visit v = {kind, fn, ctx};
  return each_pinned_module(visit_entries, &v);
}

static int on_change(modlink_change_fn *fn, void *ctx)
{
  if (!fn) {
    errno = EINVAL;
    return -1;
  }
  WRITER_SCOPE();
  writer_enter_locked();
  if (reg.nlisteners == reg.cap) {
    size_t cap = reg.cap ? 2 * reg.cap : 8;
    struct listener *l = realloc(reg.listeners, cap * sizeof *l);
    if (!l) {
      errno = ENOMEM;
      return -1;
    }
    reg.listeners = l;
    reg.cap = cap;
  }
  unsigned long upto = reg.serial;
  unsigned long id = ++reg.listener_ids;
  reg.listeners[reg.nlisteners++] =
      (struct listener){fn, ctx, 0, upto, id, object_of((const void *)fn)};
  /* The modules registered before now, in order, each looked up again in
     the newest table: FN may dlopen or dlclose, which replaces or clears
     the table.  A module registered meanwhile is told to FN through
     notify_locked, FN being a listener already; one leaving is not told,
     nor its departure if the replay had not reached it. */
  unsigned long done = 0;
  for (;;) {
    const struct table *t = current_table();
    size_t i = first_after(t, done);
    while (i < t->count && (!t->modules[i] || t->modules[i]->leaving))
      i++;
    if (i == t->count || t->serials[i] > upto)
      break;
    done = t->serials[i];
    struct listener *l = listener_of(id);
    if (!l)
      break; /* FN's module was unloaded meanwhile */
    l->told_upto = done;
    fn((const struct modlink_module *)t->modules[i]->md, 1, ctx);
  }
  struct listener *l = listener_of(id);
  if (l)
    l->told_upto = ULONG_MAX;
  return 0;
}

const struct modlink_instance modlink__this_instance = {
    .magic = MODLINK_INSTANCE_MAGIC,
    .version = MODLINK_INSTANCE_VERSION,
    .module = &modlink__own_moduledata,
    .register_module = register_module,
    .deregister_module = deregister_module,
    .module_count = module_count,
    .foreach_module = foreach_module,
    .find_module = find_module,
    .foreach_entry = foreach_entry,
    .on_change = on_change,
};

/* ---- the public API: the process's runtime does the work --------------- */

size_t modlink_module_count(void)
{
  return modlink__runtime()->module_count();
}

int modlink_foreach_module(modlink_module_fn *fn, void *ctx)
{
  return modlink__runtime()->foreach_module(fn, ctx);
}

const struct modlink_module *modlink_find_module(const void *addr)
{
  const struct modlink_instance *runtime = modlink__runtime();
  /* Most often this copy is the process's runtime: no indirect call. */
  return runtime == &modlink__this_instance ? look_up(addr)
                                            : runtime->find_module(addr);
}

int modlink_foreach_entry(const char *kind, modlink_entry_fn *fn, void *ctx)
{
  return modlink__runtime()->foreach_entry(kind, fn, ctx);
}

int modlink_on_change(modlink_change_fn *fn, void *ctx)
{
  return modlink__runtime()->on_change(fn, ctx);
}

static const struct modlink_moduledata *md_of(const struct modlink_module *m)
{
  return (const struct modlink_moduledata *)m;
}

/* NULL (what modlink_find_module returns for a foreign address) reads as
   a module with no name and empty bounds. */
const char *modlink_module_name(const struct modlink_module *m)
{
  return m ? md_of(m)->name : 0;
}

void modlink_module_text(const struct modlink_module *m, uintptr_t *start,
                         uintptr_t *end)
{
  *start = m ? md_of(m)->text_start : 0;
  *end = m ? md_of(m)->text_end : 0;
}

void modlink_module_data(const struct modlink_module *m, uintptr_t *start,
                         uintptr_t *end)
{
  *start = m ? md_of(m)->data_start : 0;
  *end = m ? md_of(m)->data_end : 0;
}
