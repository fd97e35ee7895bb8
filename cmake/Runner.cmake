# How this target's programs run here, chosen once at configure time and
# printed.  In order:
#   native   the build machine's own architecture: run directly
#   loader   the kernel runs them natively (a host architecture in the
#            table's native_on, checked with a probe): run through the
#            cross sysroot's loader, /usr/<triple>/lib/<loader>
#            --library-path /usr/<triple>/lib
#   qemu     qemu-<qemu> -L /usr/<triple>
# -DMODLINK_RUNNER=qemu forces qemu where the kernel could do without.
#
# Sets CMAKE_CROSSCOMPILING_EMULATOR (what ctest puts before the target's
# programs), writes it to ${CMAKE_BINARY_DIR}/runner.txt for the scripts,
# and, in the caller's scope:
#   MODLINK_RUNNER_KIND    native, loader or qemu
#   MODLINK_THREAD_RUNNER  TRUE when threaded, dynamically linked programs
#                          run (qemu-i386 spins forever in them)
#   MODLINK_THREAD_PREFIX  what goes before such a program
#   MODLINK_THREAD_WHY     when they cannot run, why (for the test log)
set(MODLINK_RUNNER "" CACHE STRING "Force how target programs run: qemu, or empty to choose")
if(NOT MODLINK_RUNNER MATCHES "^(qemu)?$")
  message(FATAL_ERROR "modlink: MODLINK_RUNNER='${MODLINK_RUNNER}'; want 'qemu' or nothing")
endif()
set(probe_dir ${CMAKE_BINARY_DIR}/runner-probe)
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
                RESULT_VARIABLE probe_built OUTPUT_QUIET ERROR_QUIET)

# runner_works(<prefix list> <out>): the probe runs and says so.
function(runner_works prefix out)
  set(${out} FALSE PARENT_SCOPE)
  if(probe_built EQUAL 0)
    execute_process(COMMAND ${prefix} ${probe_dir}/probe RESULT_VARIABLE ran
                    OUTPUT_VARIABLE said ERROR_QUIET TIMEOUT 10)
    if(ran EQUAL 0 AND said MATCHES "threads: ok")
      set(${out} TRUE PARENT_SCOPE)
    endif()
  endif()
endfunction()

set(sysroot /usr/${MODLINK_TRIPLE})
set(qemu_prefix qemu-${MODLINK_QEMU} -L ${sysroot})
if(MODLINK_QEMU_CPU)
  set(qemu_prefix qemu-${MODLINK_QEMU} -cpu ${MODLINK_QEMU_CPU} -L ${sysroot})
endif()
set(loader_prefix ${sysroot}/lib/${MODLINK_LOADER} --library-path ${sysroot}/lib)
separate_arguments(native_on UNIX_COMMAND "${MODLINK_NATIVE_ON}")
if(MODLINK_NATIVE AND NOT MODLINK_RUNNER STREQUAL "qemu")
  set(MODLINK_RUNNER_KIND native)
  set(prefix "")
  set(how "natively")
else()
  set(MODLINK_RUNNER_KIND qemu)
  set(prefix ${qemu_prefix})
  string(REPLACE ";" " " how "under ${qemu_prefix}")
  if(MODLINK_RUNNER STREQUAL "qemu")
    string(APPEND how " (-DMODLINK_RUNNER=qemu)")
  endif()
  if(MODLINK_HOST_DEBIAN_ARCH IN_LIST native_on AND NOT MODLINK_RUNNER STREQUAL "qemu")
    runner_works("${loader_prefix}" loader_ok)
    if(loader_ok)
      set(MODLINK_RUNNER_KIND loader)
      set(prefix ${loader_prefix})
      set(how "natively, through ${sysroot}/lib/${MODLINK_LOADER} (this kernel runs them)")
    else()
      string(APPEND how " (this kernel does not run them natively)")
    endif()
  endif()
endif()
message(STATUS "modlink: ${MODLINK_TRIPLE} programs run ${how}")
set(CMAKE_CROSSCOMPILING_EMULATOR ${prefix})
string(REPLACE ";" " " runner_line "${prefix}")
file(WRITE ${CMAKE_BINARY_DIR}/runner.txt "${runner_line}\n")

set(MODLINK_THREAD_RUNNER TRUE)
set(MODLINK_THREAD_PREFIX ${prefix})
set(MODLINK_THREAD_WHY "")
if(MODLINK_RUNNER_KIND STREQUAL "qemu")
  runner_works("${prefix}" threads_ok)
  if(NOT threads_ok)
    set(MODLINK_THREAD_RUNNER FALSE)
    set(MODLINK_THREAD_WHY "${MODLINK_TRIPLE} programs run ${how}, and qemu-${MODLINK_QEMU} "
                           "does not run threaded, dynamically linked ones")
    string(REPLACE ";" "" MODLINK_THREAD_WHY "${MODLINK_THREAD_WHY}")
    message(STATUS "modlink: ${MODLINK_THREAD_WHY}: those tests are linked statically or skipped")
  endif()
endif()

# modlink_skipped_test(<name> <why>): a test that ctest reports as skipped,
# printing why.
function(modlink_skipped_test name why)
  add_test(NAME ${name} COMMAND ${CMAKE_COMMAND} -E echo "skipped: ${why}")
  set_tests_properties(${name} PROPERTIES SKIP_REGULAR_EXPRESSION "skipped:")
endfunction()
