# Negative controls: run a program that must fail in a specific way.
#
#   cmake -DCOMMAND=<prog;args> -DSTARTED=<regex> -DSUCCESS=<regex>
#         [-DSTDERR=<regex>] [-DENV=<VAR=value;...>] -P ExpectFailure.cmake
#
# Passes when the program printed STARTED (so it did run) and then failed:
# a non-zero exit or a fatal signal, and no SUCCESS line; with STDERR, its
# stderr must also match.  Prints what it saw.
foreach(var IN LISTS ENV)
  string(REGEX MATCH "^([^=]*)=(.*)$" _ "${var}")
  set(ENV{${CMAKE_MATCH_1}} "${CMAKE_MATCH_2}")
endforeach()
execute_process(COMMAND ${COMMAND} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
string(JOIN " " shown ${COMMAND})
message("${shown}\n--- stdout:\n${out}--- stderr:\n${err}--- result: ${rc}")
if(NOT out MATCHES "${STARTED}")
  message(FATAL_ERROR "the program did not start as expected (no '${STARTED}')")
endif()
if(out MATCHES "${SUCCESS}")
  message(FATAL_ERROR "the program succeeded; the failure it controls for did not happen")
endif()
if(DEFINED STDERR AND NOT err MATCHES "${STDERR}")
  message(FATAL_ERROR "stderr does not match '${STDERR}'")
endif()
if(rc EQUAL 0)
  message(FATAL_ERROR "the program exited 0")
endif()
message("expected failure seen: ${rc}")
