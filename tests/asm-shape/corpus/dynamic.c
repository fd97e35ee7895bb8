/* r1 moves: alloca and a VLA.  On ppc64le the TOC is stored again right
   before each call that reads the slot back. */
#include <alloca.h>
extern void modlink_deferreturn(void);
extern int work(int *, int);

int with_alloca(int n)
{
	int *p = alloca(n * sizeof(int));
	int r = work(p, n);
	modlink_deferreturn();
	return r;
}

int with_vla(int n)
{
	int v[n];
	int r = work(v, n);
	modlink_deferreturn();
	return r + v[0];
}

/* expect: with_alloca paired */
/* expect: with_vla paired */
