/* The address index; the design is in addrindex.h. */
#define _GNU_SOURCE /* MAP_POPULATE */
#include "addrindex.h"

#include <stdlib.h>
#include <sys/mman.h>

enum { MAX_GRANULES = 64, MIN_SLOTS = 64 };
/* From this size on, an index is mapped with its pages populated. */
enum { POPULATED_BYTES = 64 << 10 };

/* The finest level at which [START, END) overlaps at most MAX_GRANULES
   granules; the coarsest level takes whatever remains. */
static unsigned level_of(uintptr_t start, uintptr_t end)
{
  unsigned level = 0;
  for (; level + 1 < MODLINK__INDEX_LEVELS; level++) {
    unsigned shift = modlink__index_shift(level);
    if (((end - 1) >> shift) - (start >> shift) < MAX_GRANULES)
      break;
  }
  return level;
}

/* The granules that [START, END) is entered under: their level, and the
   granule numbers FIRST to LAST (none for an empty range). */
struct granules {
  unsigned level, shift;
  uintptr_t first, last;
};

static struct granules granules_of(uintptr_t start, uintptr_t end)
{
  if (start >= end)
    return (struct granules){0, 0, 1, 0};
  unsigned level = level_of(start, end);
  unsigned shift = modlink__index_shift(level);
  return (struct granules){level, shift, start >> shift, (end - 1) >> shift};
}

static uintptr_t key_of(const struct granules *gs, uintptr_t g)
{
  return modlink__index_key(g << gs->shift, gs->level);
}

size_t modlink__index_entries(uintptr_t start, uintptr_t end)
{
  struct granules gs = granules_of(start, end);
  return gs.last - gs.first + 1;
}

struct modlink__addr_index *modlink__index_new(size_t entries)
{
  size_t slots = MIN_SLOTS;
  unsigned bits = 6;
  while (slots < 2 * entries + 2) {
    if (slots > SIZE_MAX / 4 / sizeof(struct modlink__slot))
      return 0;
    slots *= 2;
    bits++;
  }
  size_t bytes = sizeof(struct modlink__addr_index) +
                 slots * sizeof(struct modlink__slot);
  struct modlink__addr_index *x;
  if (bytes < POPULATED_BYTES) {
    x = calloc(1, bytes);
  } else {
    /* Populated at once: the index's slots are hashed, so every page of it
       is written, and one system call that maps them all costs far less
       than a page fault for each (in a virtual machine, ten times less). */
    x = mmap(0, bytes, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (x == MAP_FAILED)
      x = 0;
    else
      x->mapped_bytes = bytes;
  }
  if (!x)
    return 0;
  x->mask = slots - 1;
  x->hash_shift = sizeof(uintptr_t) * 8 - bits;
  return x;
}

void modlink__index_free(struct modlink__addr_index *x)
{
  if (x->mapped_bytes)
    munmap(x, x->mapped_bytes);
  else
    free(x);
}

const struct modlink_moduledata *
modlink__index_lookup_coarse(const struct modlink__addr_index *x, uintptr_t a)
{
  for (unsigned level = 1; level < MODLINK__INDEX_LEVELS; level++) {
    const struct modlink_moduledata *md = modlink__index_probe(x, a, level);
    if (md)
      return md;
  }
  return 0;
}

bool modlink__index_fits(const struct modlink__addr_index *x, size_t more)
{
  return x->used + more <= (x->mask + 1) / 2;
}

void modlink__index_insert(struct modlink__addr_index *x, uintptr_t start,
                           uintptr_t end, const struct modlink_moduledata *md)
{
  struct granules gs = granules_of(start, end);
  for (uintptr_t g = gs.first; g <= gs.last; g++) {
    uintptr_t key = key_of(&gs, g);
    size_t i = modlink__index_hash(x, key);
    while (x->slots[i].key)
      i = (i + 1) & x->mask;
    struct modlink__slot *s = &x->slots[i];
    s->start = start;
    s->end = end;
    s->md = md;
    /* Last, with release: a reader that sees the key sees the rest. */
    __atomic_store_n(&s->key, key, __ATOMIC_RELEASE);
    x->used++;
  }
}

void modlink__index_clear(struct modlink__addr_index *x, uintptr_t start,
                          uintptr_t end, const struct modlink_moduledata *md)
{
  struct granules gs = granules_of(start, end);
  for (uintptr_t g = gs.first; g <= gs.last; g++) {
    uintptr_t key = key_of(&gs, g);
    for (size_t i = modlink__index_hash(x, key); x->slots[i].key;
         i = (i + 1) & x->mask) {
      struct modlink__slot *s = &x->slots[i];
      if (s->key == key && s->md == md && s->start == start)
        __atomic_store_n(&s->md, 0, __ATOMIC_RELAXED);
    }
  }
}
