/* Exceptions across modules: the thrower (libcxx_thrower.so, C++), the
   deferring functions (libcxx_deferring.so, C++; libc_deferring.so, C built
   with -fexceptions), and the catcher (the executable). */
#ifndef DEFER_CXX_CROSS_H
#define DEFER_CXX_CROSS_H
#ifdef __cplusplus
extern "C" {
#endif
/* libcxx_thrower.so: a trace shared by every module, and the throw. */
void cross_note(void *text);
const char *cross_trace(void);
void cross_reset(void);
void cross_throw(int code); /* throws cross_error{code} */

/* libcxx_deferring.so */
int cxx_defers_then_throws(int code);         /* open-coded where allowed */
int cxx_loop_defers_then_throws(int n, int code); /* defers in a loop */

/* libc_deferring.so (C, -fexceptions): defers, then calls THROWER. */
void c_defers_then_calls(void (*thrower)(int), int code);
#ifdef __cplusplus
}
struct cross_error {
  int code;
};
#endif
#endif
