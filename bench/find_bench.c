/* P2: modlink_find_module(pc) against dladdr on the same addresses, with
 * many modules loaded.
 *
 *   find_bench modlink|dladdr ITERATIONS DIR COUNT
 * loads DIR/libfind_NNN.so for NNN < COUNT, then looks up one function
 * address of each, round-robin; prints "ns_per_op <float>". */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <modlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int main(int argc, char **argv)
{
  if (argc != 5)
    return 2;
  int use_modlink = !strcmp(argv[1], "modlink");
  long iterations = atol(argv[2]);
  int count = atoi(argv[4]);
  void **addresses = calloc(count, sizeof *addresses);
  for (int i = 0; i < count; i++) {
    char path[4096], symbol[32];
    snprintf(path, sizeof path, "%s/libfind_%03d.so", argv[3], i);
    snprintf(symbol, sizeof symbol, "find_fn_%03d", i);
    void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!handle || !(addresses[i] = dlsym(handle, symbol))) {
      fprintf(stderr, "find_bench: %s\n", dlerror());
      return 1;
    }
  }
  if (modlink_module_count() < (size_t)count) {
    fprintf(stderr, "find_bench: %zu modules registered, expected at least %d\n", modlink_module_count(), count);
    return 1;
  }
  struct timespec t0, t1;
  long found = 0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (long i = 0; i < iterations; i++) {
    /* One byte in: each function is 3 bytes long and ends .text. */
    const void *pc = (const char *)addresses[i % count] + 1;
    if (use_modlink) {
      found += modlink_find_module(pc) != NULL;
    } else {
      Dl_info info;
      found += dladdr(pc, &info) != 0;
    }
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  if (found != iterations) {
    fprintf(stderr, "find_bench: %ld of %ld lookups found a module\n", found, iterations);
    return 1;
  }
  printf("ns_per_op %.4f\n", ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / iterations);
  return 0;
}
