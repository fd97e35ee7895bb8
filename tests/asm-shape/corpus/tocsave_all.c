/* toc-save=all (Go's shared mode): every function that makes a call stores
   its TOC pointer on ppc64le; a leaf and a pure tail caller do not.
   modlink-options: -fplugin-arg-modlink-toc-save=all */
extern int work(int);
int data;

int plain_caller(int a)
{
	return work(a) + data;
}

int leaf(int a)
{
	return a + data;
}

/* expect: plain_caller tocsave */
/* expect: leaf untouched */
