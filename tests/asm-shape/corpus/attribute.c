/* Paired symbols declared only through the attribute: one external, one
   defined here (which must stay a real call, not be inlined). */
extern void custom_return(void) __attribute__((modlink_deferreturn));
extern int work(int);
int seen;

static void __attribute__((modlink_deferreturn)) local_return(void)
{
	seen++;
}

int uses_attribute(int a)
{
	int r = work(a);
	custom_return();
	return r + seen;
}

int uses_local(int a)
{
	int r = work(a);
	local_return();
	return r + seen;
}

/* expect: uses_attribute paired */
/* expect: uses_local paired */
