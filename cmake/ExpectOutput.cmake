# Runs a program that must succeed with output matching regexes.
#
#   cmake -DCOMMAND=<prog;args> [-DSTDOUT=<regex>] [-DSTDERR=<regex>]
#         [-DSTDERR_COUNT=<regex>=<n>] -P ExpectOutput.cmake
#
# STDERR_COUNT: the regex must match exactly n lines of stderr, in which
# every ';' reads as ',' (a ';' cannot be passed through add_test).
execute_process(COMMAND ${COMMAND} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
string(JOIN " " shown ${COMMAND})
message("${shown}\n--- stdout:\n${out}--- stderr:\n${err}--- result: ${rc}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the program failed: ${rc}")
endif()
if(DEFINED STDOUT AND NOT out MATCHES "${STDOUT}")
  message(FATAL_ERROR "stdout does not match '${STDOUT}'")
endif()
if(DEFINED STDERR AND NOT err MATCHES "${STDERR}")
  message(FATAL_ERROR "stderr does not match '${STDERR}'")
endif()
if(DEFINED STDERR_COUNT)
  string(REGEX MATCH "^(.*)=([0-9]+)$" _ "${STDERR_COUNT}")
  set(regex "${CMAKE_MATCH_1}")
  set(want ${CMAKE_MATCH_2})
  # One list item per line; a ';' inside a line reads as ','.
  string(REPLACE ";" "," lines "${err}")
  string(REPLACE "\n" ";" lines "${lines}")
  set(n 0)
  foreach(line IN LISTS lines)
    if(line MATCHES "${regex}")
      math(EXPR n "${n} + 1")
    endif()
  endforeach()
  if(NOT n EQUAL want)
    message(FATAL_ERROR "${n} stderr lines match '${regex}', expected ${want}")
  endif()
endif()
