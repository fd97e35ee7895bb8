/* A module with a large .bss (BSS_BYTES), so that its data range takes the
   address index's coarser granules; its text is small. */
#include <stddef.h>

static char large[BSS_BYTES];

char *adv_bss(size_t i) { return &large[i]; }

size_t adv_bss_size(void) { return sizeof large; }
