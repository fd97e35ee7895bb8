/* modlink.h compiles cleanly as C99 and C++11 under -Wall -Wextra -pedantic -Werror. */
#include <modlink.h>
static int f(int x) { return x; }
struct S { int a; };
static const S s = {1};
MODLINK_ENTRY("k", &f);
MODLINK_ENTRY("k", &s);
MODLINK_ENTRY("k", "str");
const struct modlink_module *header_check(void) { return modlink_self(); }
