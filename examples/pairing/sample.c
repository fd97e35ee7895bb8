/* A sample for the pairing demonstration (scripts/run.sh): each call to
   modlink_deferreturn gets the pairing, a call to anything else does not. */
extern void modlink_deferreturn(void);
extern int lookup(int key);

int hits;

int deferring(int key)
{
	int v = lookup(key);
	if (v > 0)
		hits++;
	modlink_deferreturn();
	return v;
}

int plain(int key)
{
	return lookup(key) + hits;
}
