/* deferreturn= replaces the default set; reload-toc= adds a TOC reload
   after the call, as does the modlink_reload_toc attribute.
   modlink-options: -fplugin-arg-modlink-deferreturn=rt_return:rt_unwind -fplugin-arg-modlink-reload-toc=rt_switch */
extern void rt_return(void);
extern void rt_unwind(void);
extern void rt_switch(void *);
extern void rt_resume(void *) __attribute__((modlink_reload_toc));
extern int work(int);
int state;

int named(int a)
{
	int r = work(a);
	rt_return();
	if (r)
		rt_unwind();
	return r + state;
}

int switches(void *to)
{
	rt_switch(to);
	state++;
	rt_resume(to);
	return state;
}

/* expect: named paired */
/* expect: switches reload */
