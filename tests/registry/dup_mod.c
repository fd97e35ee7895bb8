/* A shared object that carries its own copy of the runtime (libmodlink.a,
 * its symbols hidden with --exclude-libs), against advice.  Its calls bind
 * to that copy, which must forward to the process's runtime. */
#include <modlink.h>

#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#define DUP_FN(x) CAT(CAT(dup_, MOD), CAT(_, x))

size_t DUP_FN(count)(void) { return modlink_module_count(); }

const struct modlink_module *DUP_FN(find)(const void *addr)
{
  return modlink_find_module(addr);
}

const struct modlink_module *DUP_FN(self)(void) { return modlink_self(); }
