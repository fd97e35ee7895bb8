/* What a test module tells the test program about itself. */
#ifndef REGISTRY_MOD_H
#define REGISTRY_MOD_H
#include <modlink.h>

struct test_entry {
  const char *module; /* the file name of the module that contributed it */
};

struct mod_info {
  const char *file;                  /* the module's expected name */
  const void *text, *rodata, *data, *bss; /* addresses only it holds */
  const struct modlink_module *self; /* modlink_self() inside it */
  int ctor_saw_self;                 /* constructors ran after registration */
  int prio_ctor_saw_self;            /* ... priority 101 ones too */
};

typedef struct mod_info mod_info_fn(void);
typedef void mod_set_dtor_flags_fn(int *dtor, int *prio_dtor);
#endif
