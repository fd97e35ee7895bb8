/* The defer semantics checks (semantics.c), callable across modules. */
#ifndef DEFER_SEMANTICS_H
#define DEFER_SEMANTICS_H
int semantics_run(void);           /* the number of failed checks */
void semantics_exit(void);         /* defers, then calls exit(0) */
#endif
