// The plugin in cc1plus: C linkage and C++ linkage paired symbols.
extern "C" void modlink_deferreturn(void);
void cxx_return() __attribute__((modlink_deferreturn));
extern int work(int);
int cxx_state;

int cxx_user(int a)
{
	int r = work(a);
	modlink_deferreturn();
	cxx_return();
	return r + cxx_state;
}

int cxx_untouched(int a)
{
	return work(a) + cxx_state;
}

// expect: _Z8cxx_useri paired
// expect: _Z13cxx_untouchedi untouched
