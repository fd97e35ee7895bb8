/* A module for the catalogue to load: tests/catalogue/modules.c finds it
 * through this function. */
int catalogue_probe(void) { return 1; }
