/* The module registry.
 *
 * The registered modules form one immutable table: the modules in
 * registration order, and their text and data ranges sorted by address for
 * modlink_find_module.  Writers (registration, deregistration, listeners)
 * serialize on one lock, build a new table, publish it with one atomic
 * store and wait for a grace period (readers.h) before freeing the old one.
 * Readers never lock.
 *
 * Lifecycle of a module (docs/design.md has the picture):
 *   .init_array.00000  stub -> modlink_addmoduledata -> modlink__register
 *   ...its constructors, its life, its destructors...
 *   .fini_array.00000  stub -> modlink_delmoduledata -> modlink__deregister
 * Deregistration tells the listeners first, while the module is still
 * found, then unpublishes it and waits until no reader can see it. */
#define _GNU_SOURCE
#include <modlink.h>

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "instance.h"
#include "moduledata.h"
#include "readers.h"

struct range {
  uintptr_t start, end;
  const struct modlink_moduledata *md;
};

enum { RANGES = 3 }; /* per module: text, read-only data, data */

struct table {
  size_t count;   /* modules */
  size_t nranges; /* non-empty ranges, sorted by start, disjoint */
  const struct modlink_moduledata **modules; /* registration order */
  unsigned long *serials; /* each module's registration number, rising */
  struct range *ranges;
  struct table *retired_next; /* while waiting to be freed */
};

struct listener {
  modlink_change_fn *fn;
  void *ctx;
};

static struct {
  pthread_mutex_t lock; /* writers only; recursive for listeners */
  struct table *current;
  struct table *retired;
  struct listener *listeners;
  size_t nlisteners, cap;
  unsigned long serial; /* registrations so far */
} reg = {.lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP};

static struct table empty_table;

/* ---- the table ---------------------------------------------------------- */

static struct table *table_new(size_t count)
{
  struct table *t = malloc(sizeof *t + count * sizeof t->modules[0] +
                           count * sizeof t->serials[0] +
                           RANGES * count * sizeof t->ranges[0]);
  if (!t)
    return 0;
  t->count = count;
  t->nranges = 0;
  t->ranges = (struct range *)(t + 1);
  t->modules = (const struct modlink_moduledata **)(t->ranges + RANGES * count);
  t->serials = (unsigned long *)(t->modules + count);
  return t;
}

static int range_cmp(const void *a, const void *b)
{
  const struct range *x = a, *y = b;
  return x->start < y->start ? -1 : x->start > y->start;
}

/* A table of modules[0..count), with ranges built and sorted. */
/* A module's ranges, in the order of range_names. */
static const char *const range_names[RANGES] = {"text", "read-only data",
                                                "data"};
static void ranges_of(const struct modlink_moduledata *md,
                      struct range out[RANGES])
{
  out[0] = (struct range){md->text_start, md->text_end, md};
  out[1] = (struct range){md->rodata_start, md->rodata_end, md};
  out[2] = (struct range){md->data_start, md->data_end, md};
}

static void table_index(struct table *t)
{
  t->nranges = 0;
  for (size_t i = 0; i < t->count; i++) {
    struct range r[RANGES];
    ranges_of(t->modules[i], r);
    for (int k = 0; k < RANGES; k++)
      if (r[k].start < r[k].end)
        t->ranges[t->nranges++] = r[k];
  }
  qsort(t->ranges, t->nranges, sizeof t->ranges[0], range_cmp);
}

/* N's ranges from T's, already sorted: MD's merged in when ADD, left out
   otherwise.  Linear, where indexing afresh would sort every range again
   for each module that arrives (200 modules loading at startup). */
static void table_index_from(struct table *n, const struct table *t,
                             const struct modlink_moduledata *md, int add)
{
  struct range mine[RANGES];
  size_t nmine = 0;
  if (add) {
    struct range r[RANGES];
    ranges_of(md, r);
    for (int k = 0; k < RANGES; k++) {
      if (r[k].start >= r[k].end)
        continue;
      size_t at = nmine++;
      for (; at > 0 && mine[at - 1].start > r[k].start; at--)
        mine[at] = mine[at - 1];
      mine[at] = r[k];
    }
  }
  size_t i = 0, j = 0;
  n->nranges = 0;
  while (i < t->nranges || j < nmine) {
    if (j < nmine && (i == t->nranges || mine[j].start < t->ranges[i].start))
      n->ranges[n->nranges++] = mine[j++];
    else if (t->ranges[i++].md != md)
      n->ranges[n->nranges++] = t->ranges[i - 1];
  }
}

/* The range holding A: the last one that starts at or below A, if A is
   below its end.  Branch-free halving (the comparison becomes a
   conditional move): lookups of unrelated addresses defeat the branch
   predictor, and a mispredicted branch at every level cost more than the
   rest of the search. */
static const struct range *range_holding(const struct table *t, uintptr_t a)
{
  size_t n = t->nranges;
  if (n == 0)
    return 0;
  const struct range *base = t->ranges; /* the answer is in [base, base+n) */
  while (n > 1) {
    size_t half = n / 2;
    base = base[half].start <= a ? base + half : base;
    n -= half;
  }
  return base->start <= a && a < base->end ? base : 0;
}

static const struct range *range_overlapping(const struct table *t,
                                             uintptr_t start, uintptr_t end)
{
  for (size_t i = 0; i < t->nranges; i++)
    if (t->ranges[i].start < end && start < t->ranges[i].end)
      return &t->ranges[i];
  return 0;
}

static bool table_has(const struct table *t, const struct modlink_moduledata *md)
{
  for (size_t i = 0; i < t->count; i++)
    if (t->modules[i] == md)
      return true;
  return false;
}

/* fork() copies the counters of readers that do not exist in the child, and
   the writer lock perhaps held by one of them; without this the child's
   first dlopen or dlclose would wait for them forever. */
static void after_fork_in_child(void)
{
  modlink__readers_after_fork();
  pthread_mutex_t fresh = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
  reg.lock = fresh;
}

static void register_fork_handler(void)
{
  pthread_atfork(0, 0, after_fork_in_child);
}

/* The first table: the module that contains this runtime, registered
   statically when its stub says so (MODLINK_MD_STATIC), else nothing. */
static struct table *current_table_locked(void)
{
  if (reg.current)
    return reg.current;
  register_fork_handler(); /* once: the first table is made once */
  const struct modlink_moduledata *own = &modlink__own_moduledata;
  struct table *t = 0;
  if (own->magic == MODLINK_MAGIC && (own->flags & MODLINK_MD_STATIC) &&
      (t = table_new(1))) {
    t->modules[0] = own;
    t->serials[0] = ++reg.serial;
    table_index(t);
  }
  __atomic_store_n(&reg.current, t ? t : &empty_table, __ATOMIC_SEQ_CST);
  return reg.current;
}

static void free_retired(void)
{
  while (reg.retired) {
    struct table *t = reg.retired;
    reg.retired = t->retired_next;
    free(t);
  }
}

/* Publishes t and waits until no reader holds the table it replaces. */
static void publish_locked(struct table *t)
{
  struct table *old = reg.current;
  __atomic_store_n(&reg.current, t, __ATOMIC_SEQ_CST);
  if (old != &empty_table) {
    old->retired_next = reg.retired;
    reg.retired = old;
  }
  if (modlink__synchronize())
    free_retired();
}

/* Enters a read section; modlink__read_end() leaves it. */
static const struct table *read_table(void)
{
  /* Once, before the first read section: a reader must never wait for the
     lock of a writer that may be waiting for it. */
  if (__builtin_expect(!__atomic_load_n(&reg.current, __ATOMIC_ACQUIRE), 0)) {
    pthread_mutex_lock(&reg.lock);
    current_table_locked();
    pthread_mutex_unlock(&reg.lock);
  }
  modlink__read_begin();
  return __atomic_load_n(&reg.current, __ATOMIC_SEQ_CST);
}

/* ---- listeners ---------------------------------------------------------- */

static void notify_locked(const struct modlink_moduledata *md, int loaded)
{
  /* By index, up to the listeners there were: a listener may add
     listeners, and those heard of MD when they were added. */
  size_t n = reg.nlisteners;
  for (size_t i = 0; i < n && i < reg.nlisteners; i++)
    reg.listeners[i].fn((const struct modlink_module *)md, loaded,
                        reg.listeners[i].ctx);
}

static bool listening(modlink_change_fn *fn, void *ctx)
{
  for (size_t i = 0; i < reg.nlisteners; i++)
    if (reg.listeners[i].fn == fn && reg.listeners[i].ctx == ctx)
      return true;
  return false;
}

/* Listeners whose code lives in a departing module would be called after
   it is unmapped. */
static void drop_listeners_in_locked(const struct modlink_moduledata *md)
{
  size_t kept = 0;
  for (size_t i = 0; i < reg.nlisteners; i++) {
    uintptr_t fn = (uintptr_t)reg.listeners[i].fn;
    if (!(md->text_start <= fn && fn < md->text_end))
      reg.listeners[kept++] = reg.listeners[i];
  }
  reg.nlisteners = kept;
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
  if (table_has(t, md)) {
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

static void register_module(const struct modlink_moduledata *md)
{
  pthread_mutex_lock(&reg.lock);
  const struct table *t = current_table_locked();
  if (verify_locked(t, md)) {
    struct table *n = table_new(t->count + 1);
    if (!n) {
      modlink__complain("refusing module '%s': out of memory", md->name);
    } else {
      memcpy(n->modules, t->modules, t->count * sizeof t->modules[0]);
      memcpy(n->serials, t->serials, t->count * sizeof t->serials[0]);
      n->modules[t->count] = md;
      n->serials[t->count] = ++reg.serial;
      table_index_from(n, t, md, 1);
      publish_locked(n);
      notify_locked(md, 1);
    }
  }
  pthread_mutex_unlock(&reg.lock);
}

static void deregister_module(const struct modlink_moduledata *md)
{
  pthread_mutex_lock(&reg.lock);
  const struct table *t = current_table_locked();
  /* A module that was refused was never added: nothing to undo. */
  if (table_has(t, md)) {
    notify_locked(md, 0);
    drop_listeners_in_locked(md);
    struct table *n = table_new(t->count - 1);
    if (!n) {
      /* Cannot shrink: keep the table, but the module must go.  Fail
         loudly rather than leave a soon-unmapped module findable. */
      modlink__complain("cannot deregister module '%s': out of memory",
                        md->name);
      abort();
    }
    size_t k = 0;
    for (size_t i = 0; i < t->count; i++)
      if (t->modules[i] != md) {
        n->serials[k] = t->serials[i];
        n->modules[k++] = t->modules[i];
      }
    table_index_from(n, t, md, 0);
    publish_locked(n);
  }
  pthread_mutex_unlock(&reg.lock);
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

static size_t module_count(void)
{
  const struct table *t = read_table();
  size_t n = t->count;
  modlink__read_end();
  return n;
}

static int foreach_module(modlink_module_fn *fn, void *ctx)
{
  const struct table *t = read_table();
  int r = 0;
  for (size_t i = 0; i < t->count && !r; i++)
    r = fn((const struct modlink_module *)t->modules[i], ctx);
  modlink__read_end();
  return r;
}

static const struct modlink_module *find_module(const void *addr)
{
  const struct table *t = read_table();
  const struct range *r = range_holding(t, (uintptr_t)addr);
  const struct modlink_moduledata *md = r ? r->md : 0;
  modlink__read_end();
  return (const struct modlink_module *)md;
}

static int foreach_entry(const char *kind, modlink_entry_fn *fn, void *ctx)
{
  const struct table *t = read_table();
  int r = 0;
  for (size_t i = 0; i < t->count && !r; i++) {
    const struct modlink_moduledata *md = t->modules[i];
    for (const struct modlink_entry__ *e = md->entries_start;
         e < md->entries_end && !r; e++)
      /* A null kind is padding the compiler put between entries. */
      if (e->kind && strcmp(e->kind, kind) == 0)
        r = fn((const struct modlink_module *)md, e->value, ctx);
  }
  modlink__read_end();
  return r;
}

static int on_change(modlink_change_fn *fn, void *ctx)
{
  if (!fn) {
    errno = EINVAL;
    return -1;
  }
  pthread_mutex_lock(&reg.lock);
  int r = 0;
  if (reg.nlisteners == reg.cap) {
    size_t cap = reg.cap ? 2 * reg.cap : 8;
    struct listener *l = realloc(reg.listeners, cap * sizeof *l);
    if (!l) {
      errno = ENOMEM;
      r = -1;
    } else {
      reg.listeners = l;
      reg.cap = cap;
    }
  }
  if (r == 0) {
    reg.listeners[reg.nlisteners++] = (struct listener){fn, ctx};
    /* The modules registered before now, in order, each looked up again
       in the newest table: FN may dlopen or dlclose, which replaces (and
       frees) the table, and a module registered meanwhile is told to FN
       through notify_locked, FN being a listener already. */
    current_table_locked(); /* the runtime's own module, the first time */
    unsigned long upto = reg.serial, done = 0;
    for (;;) {
      const struct table *t = current_table_locked();
      size_t i = 0;
      while (i < t->count && t->serials[i] <= done)
        i++;
      if (i == t->count || t->serials[i] > upto)
        break;
      done = t->serials[i];
      fn((const struct modlink_module *)t->modules[i], 1, ctx);
      if (!listening(fn, ctx))
        break; /* FN's module was unloaded meanwhile */
    }
  }
  pthread_mutex_unlock(&reg.lock);
  return r;
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
  return modlink__runtime()->find_module(addr);
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
