/* Several paired calls in one function, mixed with other calls, and
   functions with no paired call that must come out byte-identical. */
extern void modlink_deferreturn(void);
extern int work(int);
int counter;

int several(int a)
{
	int r = work(a);
	modlink_deferreturn();
	r += work(r);
	modlink_deferreturn();
	counter += r;
	modlink_deferreturn();
	return r + counter;
}

int plain_caller(int a)
{
	return work(a) + work(a + 1) + counter;
}

int leaf(int a)
{
	return a * 3 + counter;
}

/* expect: several paired */
/* expect: plain_caller untouched */
/* expect: leaf untouched */
