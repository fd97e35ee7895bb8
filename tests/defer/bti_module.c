/* What a shared object linked without Debian's crt files (-nostartfiles,
   none of which carries a BTI note) still needs, for the BTI test
   (tests/defer/CMakeLists.txt), defined here with BTI landing pads:
   - __dso_handle, crtbeginS.o's, for pthread_atfork (libc_nonshared.a);
   - the flag libgcc's outline atomics read, which keeps libgcc's lse-init.o
     out of the link: its constructor has no landing pad and would fault
     when the loader calls it.  0: the helpers use exclusive loads and
     stores, which every aarch64 cpu has. */
void *__dso_handle __attribute__((visibility("hidden"))) = &__dso_handle;
_Bool __aarch64_have_lse_atomics __attribute__((visibility("hidden"))) = 0;
