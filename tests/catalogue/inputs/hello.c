/* A valid program: with it, a careless driver would produce an output. */
int main(void) { return 0; }
