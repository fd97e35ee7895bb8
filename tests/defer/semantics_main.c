/* semantics [exit]: runs the defer semantics checks and prints
   "semantics: ok", or, with "exit", leaves through exit() with deferred
   calls pending, which must not run. */
#include <stdio.h>
#include <string.h>

#include "semantics.h"

int main(int argc, char **argv)
{
  if (argc > 1 && strcmp(argv[1], "exit") == 0)
    semantics_exit();
  int failures = semantics_run();
  if (failures) {
    printf("semantics: %d failed checks\n", failures);
    return 1;
  }
  printf("semantics: ok\n");
  return 0;
}
