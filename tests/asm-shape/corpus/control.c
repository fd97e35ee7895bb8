/* A paired call in a loop and on a conditional path. */
extern void modlink_deferreturn(void);
extern int work(int);
int total;

int in_loop(int n)
{
	int s = 0;
	for (int i = 0; i < n; i++) {
		s += work(i);
		modlink_deferreturn();
	}
	return s + total;
}

int conditional(int a)
{
	int r = work(a);
	if (r > 10)
		modlink_deferreturn();
	else
		r = work(r) * 2;
	return r + total;
}

/* Shrink-wrapping: the early return needs no frame, so the prologue (and
   the TOC store after it) moves below the test. */
int shrink_wrapped(int a)
{
	if (a < 0)
		return -1;
	int r = work(a);
	modlink_deferreturn();
	return r + total;
}

int loop_untouched(int n)
{
	int s = 0;
	for (int i = 0; i < n; i++)
		s += work(i);
	return s;
}

/* expect: in_loop paired */
/* expect: conditional paired */
/* expect: shrink_wrapped paired */
/* expect: loop_untouched untouched */
