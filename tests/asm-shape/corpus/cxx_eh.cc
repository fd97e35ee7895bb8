// A paired call inside an EH region after a call with stack arguments:
// dwarf2cfi records DW_CFA_GNU_args_size right before the call, and it
// must not land between the nop and the call.
extern "C" void modlink_deferreturn(void);
struct Guard {
	~Guard();
};
void take8(int, int, int, int, int, int, int, int);

int eh_user(int a)
{
	Guard g;
	take8(a, a + 1, a + 2, a + 3, a + 4, a + 5, a + 6, a + 7);
	modlink_deferreturn();
	return a;
}

// expect: _Z7eh_useri paired
