/* Misuse: the TOC-reload attribute on a function pointer, not a function. */
extern void (*resume)(void) __attribute__((modlink_reload_toc));
