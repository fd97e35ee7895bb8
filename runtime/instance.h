/* One runtime per process.
 *
 * Every copy of the runtime (libmodlink.so, or libmodlink.a linked into an
 * executable or, against advice, into shared objects) carries a note,
 * NT_MODLINK_RUNTIME in a .note.modlink section, that points at its
 * instance record.  On first use a copy walks the loaded objects in load
 * order (dl_iterate_phdr) and takes the first instance it finds as the
 * process's runtime.  Every copy finds the same one, whatever the symbol
 * scopes and visibilities.  A copy that is not the process's runtime says
 * so once on stderr and forwards every call to it, so that the process
 * keeps one module list. */
#ifndef MODLINK_INSTANCE_H
#define MODLINK_INSTANCE_H

#include <modlink.h>

#include "moduledata.h"

#define MODLINK_INSTANCE_MAGIC 0x54524c4du /* "MLRT" */
#define MODLINK_INSTANCE_VERSION 1u

typedef int modlink_module_fn(const struct modlink_module *, void *);
typedef int modlink_entry_fn(const struct modlink_module *, const void *,
                             void *);
typedef void modlink_change_fn(const struct modlink_module *, int, void *);

/* The operations a copy forwards; all of them run in the process's runtime. */
struct modlink_instance {
  uint32_t magic;
  uint32_t version;
  const struct modlink_moduledata *module; /* the module holding this copy */
  void (*register_module)(const struct modlink_moduledata *);
  void (*deregister_module)(const struct modlink_moduledata *);
  size_t (*module_count)(void);
  int (*foreach_module)(modlink_module_fn *, void *);
  const struct modlink_module *(*find_module)(const void *);
  int (*foreach_entry)(const char *, modlink_entry_fn *, void *);
  int (*on_change)(modlink_change_fn *, void *);
};

/* This copy's own record, and the process's runtime (never NULL; may be
   this copy). */
extern const struct modlink_instance modlink__this_instance
    __attribute__((visibility("hidden")));
const struct modlink_instance *modlink__runtime_resolve(void)
    __attribute__((visibility("hidden")));
extern const struct modlink_instance *modlink__the_runtime
    __attribute__((visibility("hidden")));

static inline const struct modlink_instance *modlink__runtime(void)
{
  const struct modlink_instance *r =
      __atomic_load_n(&modlink__the_runtime, __ATOMIC_ACQUIRE);
  return __builtin_expect(r != 0, 1) ? r : modlink__runtime_resolve();
}

/* One line on stderr, "modlink: ...", then abort() under MODLINK_STRICT=1. */
void modlink__complain(const char *fmt, ...)
    __attribute__((visibility("hidden"), format(printf, 1, 2)));
/* One line on stderr, "modlink: ...", never an abort: for what is worth
   knowing but is not wrong (a long wait, a second namespace). */
void modlink__notice(const char *fmt, ...)
    __attribute__((visibility("hidden"), format(printf, 1, 2)));
/* A printable name for module data that may be invalid. */
const char *modlink__name_of(const struct modlink_moduledata *md)
    __attribute__((visibility("hidden")));

#endif
