/* A paired call in tail position must stay a call: the pairing and the
   return address must exist. */
extern void modlink_deferreturn(void);
extern void work(int);

void tail_only(void)
{
	modlink_deferreturn();
}

void tail_after_work(int a)
{
	work(a);
	modlink_deferreturn();
}

int tail_value(int a)
{
	work(a);
	modlink_deferreturn();
	return a;
}

/* A tail call to something else stays a tail call. */
void other_tail(int a)
{
	work(a + 1);
}

/* expect: tail_only paired */
/* expect: tail_after_work paired */
/* expect: tail_value paired */
/* expect: other_tail untouched */
