/* The defer lowering refuses: setjmp returns twice in a deferring function. */
#include <modlink.h>
#include <setjmp.h>
static jmp_buf env;
static void cleanup(void *p) { (void)p; }
int f(void) {
  modlink_defer(cleanup, 0);
  return setjmp(env);
}
