/* toc-save=none: the pairing stays, the store goes (the user's business).
   modlink-options: -fplugin-arg-modlink-toc-save=none */
extern void modlink_deferreturn(void);
int data;

/* Local, so even -fno-plt calls it directly, without a TOC save of GCC's. */
static __attribute__((noinline)) int work(int a)
{
	return a * 7 + data;
}

int paired_without_store(int a)
{
	int r = work(a);
	modlink_deferreturn();
	return r + data;
}

/* expect: paired_without_store nosave */
