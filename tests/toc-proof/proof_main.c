/* Module A of the rewind proof.  A calls proof_rewind (module B, a shared
   object) with the pairing; B makes the call run twice by rewinding the
   return address once, leaving its own TOC in r2 on ppc64le.  A then reads
   its own global through its own TOC: only a correct pairing (and, on
   ppc64le, the TOC save and reload) gives the right value.

   Prints "proof: start" first, so a run that fails later is told apart
   from one that never started. */
#include <stdio.h>
#include <string.h>

extern void proof_rewind(void);
extern long proof_calls;

volatile int sentinel = 0x1234567;

/* A local call: entered at the local entry point, so it uses r2 as is. */
__attribute__((noinline)) static int read_sentinel(void)
{
	return sentinel;
}

__attribute__((noinline)) int run(void)
{
	proof_rewind();
	return read_sentinel();
}

/* Fill the stack below main's frame with garbage, so that a TOC save slot
   nobody wrote (toc-save=none) holds garbage rather than a stale TOC. */
__attribute__((noinline)) static void poison_stack(void)
{
	volatile unsigned char junk[4096];
	memset((void *)junk, 0x5a, sizeof junk);
}

int main(void)
{
	printf("proof: start\n");
	fflush(stdout);
	poison_stack();
	int v = run();
	int ok = proof_calls == 2 && v == 0x1234567;
	printf("proof: calls=%ld sentinel=%#x %s\n", proof_calls, v, ok ? "ok" : "WRONG");
	return ok ? 0 : 1;
}
