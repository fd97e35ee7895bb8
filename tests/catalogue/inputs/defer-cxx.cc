/* C++ is refused only where C is: here a member function that calls
   vfork, which returns twice. */
#include <modlink.h>
#include <unistd.h>
static void cleanup(void *p) { (void)p; }
struct S {
  int f();
};
int S::f() {
  modlink_defer(cleanup, 0);
  return vfork();
}
