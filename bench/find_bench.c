/* P2: modlink_find_module(pc) against glibc's own lookups on the same
 * addresses, with many modules loaded: _dl_find_object (lock-free, what
 * libgcc's unwinder uses), dladdr, and a dl_iterate_phdr walk.
 *
 *   find_bench modlink|dl_find_object|dladdr|phdr ITERATIONS DIR COUNT
 * loads DIR/libfind_NNN.so for NNN < COUNT, then looks up one function
 * address of each, round-robin; prints "ns_per_op <float>". */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <modlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The object whose PT_LOAD segments hold the address, as an unwinder
   without _dl_find_object finds it. */
static int holds(struct dl_phdr_info *info, size_t size, void *pc)
{
  (void)size;
  uintptr_t a = (uintptr_t)pc - info->dlpi_addr;
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
    if (ph->p_type == PT_LOAD && a - ph->p_vaddr < ph->p_memsz)
      return 1;
  }
  return 0;
}

static int by_modlink(const void *pc) { return modlink_find_module(pc) != NULL; }

static int by_dl_find_object(const void *pc)
{
  struct dl_find_object object;
  return _dl_find_object((void *)pc, &object) == 0;
}

static int by_dladdr(const void *pc)
{
  Dl_info info;
  return dladdr(pc, &info) != 0;
}

static int by_phdr(const void *pc) { return dl_iterate_phdr(holds, (void *)pc); }

static const struct {
  const char *name;
  int (*found)(const void *pc);
} lookups[] = {{"modlink", by_modlink}, {"dl_find_object", by_dl_find_object},
               {"dladdr", by_dladdr}, {"phdr", by_phdr}};

int main(int argc, char **argv)
{
  if (argc != 5)
    return 2;
  int (*found_by)(const void *pc) = 0;
  for (size_t i = 0; i < sizeof lookups / sizeof lookups[0]; i++)
    if (!strcmp(argv[1], lookups[i].name))
      found_by = lookups[i].found;
  if (!found_by)
    return 2;
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
  /* Round-robin over the modules, one byte into each function (3 bytes
     long, the end of its module's .text); each lookup is an indirect
     call, whatever it calls. */
  for (long i = 0, k = 0; i < iterations; i++, k = k + 1 == count ? 0 : k + 1)
    found += found_by((const char *)addresses[k] + 1);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  if (found != iterations) {
    fprintf(stderr, "find_bench: %ld of %ld lookups found a module\n", found, iterations);
    return 1;
  }
  printf("ns_per_op %.4f\n", ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / iterations);
  return 0;
}
