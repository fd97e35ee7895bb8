/* Misuse: the pairing attribute on a variable (tests/catalogue/cases.txt). */
int counter __attribute__((modlink_deferreturn));
