/* One runtime per process: libdup_a.so and libdup_b.so each carry a copy
 * of the runtime.  Each copy must report itself once and forward to the
 * process's runtime, libmodlink.so, so that everyone sees one list. */
#include <modlink.h>

#include "check.h"

size_t dup_a_count(void);
size_t dup_b_count(void);
const struct modlink_module *dup_a_find(const void *);
const struct modlink_module *dup_b_find(const void *);
const struct modlink_module *dup_a_self(void);
const struct modlink_module *dup_b_self(void);

int main(void)
{
  CHECK(modlink_module_count() == 4); /* libmodlink.so, this, dup_a, dup_b */
  CHECK(dup_a_count() == 4);
  CHECK(dup_b_count() == 4);
  const struct modlink_module *a = dup_a_self(), *b = dup_b_self();
  CHECK(a && strcmp(modlink_module_name(a), "libdup_a.so") == 0);
  CHECK(b && strcmp(modlink_module_name(b), "libdup_b.so") == 0);
  /* Each copy finds what the other registered. */
  CHECK(dup_a_find((const void *)&dup_b_count) == b);
  CHECK(dup_b_find((const void *)&dup_a_count) == a);
  CHECK(modlink_find_module((const void *)&main) == modlink_self());
  CHECK(dup_a_find((const void *)&main) == modlink_self());
  if (check_failures)
    return 1;
  printf("dup: ok\n");
  return 0;
}
