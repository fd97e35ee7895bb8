# How this target's threaded, dynamically linked programs run here.
#
# qemu-i386 spins forever in any threaded, dynamically linked program
# (plain gcc's too), while many x86_64 kernels run i686 programs natively.
# So where the emulator cannot run threads, a probe built with the target's
# compiler is run natively, once, at configure time.
#
# Sets, in the caller's scope:
#   MODLINK_THREAD_RUNNER  TRUE when such programs can run here
#   MODLINK_THREAD_PREFIX  what goes before the program: the emulator, or
#                          nothing when it runs natively
#   MODLINK_THREAD_WHY     when they cannot run, why (for the test log)
set(MODLINK_THREAD_RUNNER TRUE)
set(MODLINK_THREAD_PREFIX ${CMAKE_CROSSCOMPILING_EMULATOR})
set(MODLINK_THREAD_WHY "")
if(CMAKE_CROSSCOMPILING_EMULATOR MATCHES "qemu-i386")
  set(probe_dir ${CMAKE_BINARY_DIR}/thread-probe)
  file(MAKE_DIRECTORY ${probe_dir})
  file(WRITE ${probe_dir}/probe.c [=[
#include <pthread.h>
#include <stdio.h>
static void *run(void *p) { return p; }
int main(void)
{
  pthread_t t;
  void *r = 0;
  if (pthread_create(&t, 0, run, (void *)1) || pthread_join(t, &r) || !r)
    return 1;
  puts("threads: ok");
  return 0;
}
]=])
  execute_process(COMMAND ${CMAKE_C_COMPILER} -pthread ${probe_dir}/probe.c -o ${probe_dir}/probe
                  RESULT_VARIABLE built OUTPUT_QUIET ERROR_QUIET)
  set(ran 1)
  if(built EQUAL 0)
    execute_process(COMMAND ${probe_dir}/probe RESULT_VARIABLE ran OUTPUT_VARIABLE said
                    ERROR_QUIET TIMEOUT 10)
  endif()
  if(ran EQUAL 0 AND said MATCHES "threads: ok")
    set(MODLINK_THREAD_PREFIX "")
  else()
    set(MODLINK_THREAD_RUNNER FALSE)
    set(MODLINK_THREAD_WHY "this kernel does not run ${MODLINK_TRIPLE} programs natively, and "
                           "${CMAKE_CROSSCOMPILING_EMULATOR} hangs in threaded, dynamically linked ones")
  endif()
endif()

# modlink_skipped_test(<name> <why>): a test that ctest reports as skipped,
# printing why.
function(modlink_skipped_test name why)
  add_test(NAME ${name} COMMAND ${CMAKE_COMMAND} -E echo "skipped: ${why}")
  set_tests_properties(${name} PROPERTIES SKIP_REGULAR_EXPRESSION "skipped:")
endfunction()
