/* The address index: which module's range holds an address, in a few
 * loads whatever the number of modules.
 *
 * A binary search over the sorted ranges of 200 modules is ten dependent
 * loads, and twelve for 2,000: the lookup grows with the modules, and each
 * level waits for the one before.  The index is a hash table of address
 * granules instead.  A range is entered once per granule it overlaps, at
 * the finest of four granule sizes (4 KiB, 256 KiB, 16 MiB, 1 GiB) at which
 * it overlaps at most 64 granules, so that a module with a large .bss
 * costs no more slots than a small one.  A lookup probes the granule of
 * the address at each size, finest first; a slot holds its range's bounds
 * and module, so a hit is one cache line.
 *
 * Slots are only ever added (a key is stored last, with release) or
 * turned into tombstones (the module cleared), by the registry's writer
 * under its lock, in place: readers probe the index while it changes.  An
 * index that would fill past half its slots is replaced by a new one, and
 * the old one is freed after a grace period, like a table. */
#ifndef MODLINK_ADDRINDEX_H
#define MODLINK_ADDRINDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "moduledata.h"

#define MODLINK_HIDDEN __attribute__((visibility("hidden")))

enum { MODLINK__INDEX_LEVELS = 4 };

struct modlink__slot {
  uintptr_t key; /* 0: empty; else the granule and its level */
  uintptr_t start, end;
  const struct modlink_moduledata *md; /* NULL: a tombstone */
};

struct modlink__addr_index {
  size_t mask;         /* slots - 1: slots are a power of two */
  unsigned hash_shift; /* bits in a word minus bits in the mask */
  size_t used; /* slots with a key, tombstones included */
  size_t mapped_bytes; /* mmap's length, or 0: from calloc */
  struct modlink__addr_index *retired_next;
  struct modlink__slot slots[];
};

/* The granule shift of each level. */
static inline unsigned modlink__index_shift(unsigned level)
{
  return 12 + 6 * level;
}

static inline uintptr_t modlink__index_key(uintptr_t a, unsigned level)
{
  return ((a >> modlink__index_shift(level)) << 2 | level) + 1;
}

static inline size_t modlink__index_hash(const struct modlink__addr_index *x,
                                         uintptr_t key)
{
  /* Fibonacci hashing: the high bits of the product with 2^W/phi. */
  uintptr_t golden = sizeof golden == 8 ? (uintptr_t)0x9e3779b97f4a7c15ull
                                        : (uintptr_t)0x9e3779b9u;
  return (size_t)((key * golden) >> x->hash_shift);
}

/* The module of the slot at LEVEL whose range holds A, or NULL. */
static inline const struct modlink_moduledata *
modlink__index_probe(const struct modlink__addr_index *x, uintptr_t a,
                     unsigned level)
{
  uintptr_t key = modlink__index_key(a, level);
  for (size_t i = modlink__index_hash(x, key);; i = (i + 1) & x->mask) {
    const struct modlink__slot *s = &x->slots[i];
    uintptr_t k = __atomic_load_n(&s->key, __ATOMIC_ACQUIRE);
    if (k == 0)
      return 0;
    if (k == key && s->start <= a && a < s->end) {
      const struct modlink_moduledata *md =
          __atomic_load_n(&s->md, __ATOMIC_RELAXED);
      if (md)
        return md;
    }
  }
}

/* The levels after the first. */
const struct modlink_moduledata *
modlink__index_lookup_coarse(const struct modlink__addr_index *x,
                             uintptr_t a) MODLINK_HIDDEN;

/* The module whose range holds A, or NULL.  Async-signal-safe.  The
   finest level inline: most ranges are entered there. */
static inline const struct modlink_moduledata *
modlink__index_lookup(const struct modlink__addr_index *x, uintptr_t a)
{
  const struct modlink_moduledata *md = modlink__index_probe(x, a, 0);
  return __builtin_expect(md != 0, 1) ? md
                                      : modlink__index_lookup_coarse(x, a);
}

/* The slots the range [START, END) takes. */
size_t modlink__index_entries(uintptr_t start, uintptr_t end) MODLINK_HIDDEN;

/* An empty index with room for ENTRIES slots at most half full; NULL when
   out of memory. */
struct modlink__addr_index *modlink__index_new(size_t entries) MODLINK_HIDDEN;

/* Frees X, made by modlink__index_new. */
void modlink__index_free(struct modlink__addr_index *x) MODLINK_HIDDEN;

/* Whether MORE slots fit without filling X past half. */
bool modlink__index_fits(const struct modlink__addr_index *x,
                         size_t more) MODLINK_HIDDEN;

/* Enters [START, END) of MD; the caller made sure it fits. */
void modlink__index_insert(struct modlink__addr_index *x, uintptr_t start,
                           uintptr_t end,
                           const struct modlink_moduledata *md) MODLINK_HIDDEN;

/* Turns the slots of [START, END) of MD into tombstones. */
void modlink__index_clear(struct modlink__addr_index *x, uintptr_t start,
                          uintptr_t end,
                          const struct modlink_moduledata *md) MODLINK_HIDDEN;

#endif
