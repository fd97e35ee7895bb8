/* Assertions for the target-side tests: a failed check prints
   "FAIL: <file>:<line>: <expression>" and the test exits non-zero. */
#ifndef MODLINK_TEST_CHECK_H
#define MODLINK_TEST_CHECK_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_failures;
#define CHECK(e)                                                              \
  ((e) ? (void)0                                                              \
       : (void)(fprintf(stdout, "FAIL: %s:%d: %s\n", __FILE__, __LINE__, #e), \
                fflush(stdout), check_failures++))
#define CHECK_STR(a, b)                                                       \
  do {                                                                        \
    const char *a_ = (a), *b_ = (b);                                          \
    if (!a_ || !b_ || strcmp(a_, b_) != 0) {                                  \
      fprintf(stdout, "FAIL: %s:%d: %s is \"%s\", expected \"%s\"\n",        \
              __FILE__, __LINE__, #a, a_ ? a_ : "(null)", b_ ? b_ : "(null)"); \
      fflush(stdout);                                                         \
      check_failures++;                                                       \
    }                                                                         \
  } while (0)
#endif
