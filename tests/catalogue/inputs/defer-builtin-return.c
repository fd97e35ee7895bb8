/* The defer lowering refuses: __builtin_return leaves past the deferred calls. */
#include <modlink.h>
static void cleanup(void *p) { (void)p; }
void f(void *result) {
  modlink_defer(cleanup, 0);
  __builtin_return(result);
}
