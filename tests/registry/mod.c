/* One test module, built several times: MOD is its identifier, MOD_FILE
 * the file name it must be registered under. */
#include <string.h>

#include "mod.h"

#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#define MOD_FN(x) CAT(CAT(registry_, MOD), CAT(_, x))

static int private_data = 42;
static int private_bss;
static const int private_rodata[4] = {1, 2, 3, 4};
__attribute__((noinline, used)) static int private_func(int x)
{
  return x + private_data;
}

static const struct test_entry entry = {MOD_FILE};
MODLINK_ENTRY("registry.test", &entry);

static int self_is_this_module(void)
{
  const struct modlink_module *m = modlink_self();
  return m && strcmp(modlink_module_name(m), MOD_FILE) == 0;
}

static int ctor_saw_self, prio_ctor_saw_self;
__attribute__((constructor)) static void ctor(void)
{
  ctor_saw_self = self_is_this_module();
}
__attribute__((constructor(101))) static void prio_ctor(void)
{
  prio_ctor_saw_self = self_is_this_module();
}

static int *dtor_flag, *prio_dtor_flag;
__attribute__((destructor)) static void dtor(void)
{
  if (dtor_flag)
    *dtor_flag = self_is_this_module();
}
__attribute__((destructor(101))) static void prio_dtor(void)
{
  if (prio_dtor_flag)
    *prio_dtor_flag = self_is_this_module();
}

/* The address of a function's code.  Where the ABI has function
   descriptors (_CALL_AIXDESC: 64-bit PowerPC ELFv1), a function pointer
   is the address of its descriptor, a data object whose first doubleword
   is the code's address. */
static const void *code_of(int (*f)(int))
{
#ifdef _CALL_AIXDESC
  return *(const void *const *)(const void *)f;
#else
  return (const void *)f;
#endif
}

struct mod_info MOD_FN(info)(void)
{
  struct mod_info i = {MOD_FILE, code_of(private_func), private_rodata, &private_data,
                       &private_bss, modlink_self(), ctor_saw_self,
                       prio_ctor_saw_self};
  return i;
}

void MOD_FN(set_dtor_flags)(int *dtor, int *prio_dtor)
{
  dtor_flag = dtor;
  prio_dtor_flag = prio_dtor;
}
