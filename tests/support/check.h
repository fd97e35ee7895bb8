/* Assertions for the target-side tests: a failed check prints
   "FAIL: <file>:<line>: <expression>" and the test exits non-zero. */
#ifndef MODLINK_TEST_CHECK_H
#define MODLINK_TEST_CHECK_H
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The address of a function's code, from a pointer to the function.
   Where the ABI has function descriptors (_CALL_AIXDESC: 64-bit PowerPC
   ELFv1), the pointer is the address of the descriptor, a data object
   whose first doubleword is the code's address. */
#ifdef _CALL_AIXDESC
#define CODE_ADDRESS(f) (*(const uintptr_t *)(const void *)(f))
#else
#define CODE_ADDRESS(f) ((uintptr_t)(f))
#endif

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
