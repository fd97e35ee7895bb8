/* Misuse: a paired function must be void F(void): it is re-executed after a rewind. */
__attribute__((modlink_deferreturn)) int unwind_to(int depth);
