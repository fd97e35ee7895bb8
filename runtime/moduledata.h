/* The module data object: one per module, emitted by the generated stub
 * (runtime-asm/stub-moduledata.s.in), read by the registry.  Its layout is
 * the module ABI; MODLINK_ABI_VERSION changes whenever it does. */
#ifndef MODLINK_MODULEDATA_H
#define MODLINK_MODULEDATA_H

#include <stddef.h>
#include <stdint.h>

#define MODLINK_MAGIC 0x4b4e4c4du /* "MLNK" read as a little-endian word */
#define MODLINK_ABI_VERSION 1u

/* flags */
#define MODLINK_MD_STATIC 1u /* registered statically by the runtime it contains */

struct modlink_entry__;

struct modlink_moduledata {
  uint32_t magic;
  uint16_t abi_version;
  uint16_t flags;
  const char *name;
  uintptr_t text_start, text_end;
  uintptr_t data_start, data_end;
  uintptr_t rodata_start, rodata_end;
  const struct modlink_entry__ *entries_start, *entries_end;
};

/* The stub template writes this layout word by word (.long, .short,
   .short, then nine .dc.a, pointer-sized): the struct must match it. */
#define MODLINK__MD_AT(field, offset, size)                                  \
  _Static_assert(offsetof(struct modlink_moduledata, field) == (offset) &&  \
                     sizeof(((struct modlink_moduledata *)0)->field) ==     \
                         (size),                                            \
                 "struct modlink_moduledata: '" #field "' is not where "    \
                 "runtime-asm/stub-moduledata.s.in puts it")
MODLINK__MD_AT(magic, 0, 4);
MODLINK__MD_AT(abi_version, 4, 2);
MODLINK__MD_AT(flags, 6, 2);
MODLINK__MD_AT(name, 8, __SIZEOF_POINTER__);
MODLINK__MD_AT(entries_end, 8 + 8 * __SIZEOF_POINTER__, __SIZEOF_POINTER__);
_Static_assert(sizeof(struct modlink_moduledata) == 8 + 9 * __SIZEOF_POINTER__,
               "struct modlink_moduledata has words the stub template does not write");

/* The module data of the module that contains this copy of the runtime
   (defined by its stub), and the registration entry points called by the
   stubs of other modules (runtime-asm/<arch>/addmoduledata.S). */
extern const struct modlink_moduledata modlink__own_moduledata
    __asm__("__modlink_moduledata") __attribute__((visibility("hidden")));
void modlink__register(const struct modlink_moduledata *md)
    __attribute__((visibility("hidden")));
void modlink__deregister(const struct modlink_moduledata *md)
    __attribute__((visibility("hidden")));

#endif
