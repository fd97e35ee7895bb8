# cmake -DCOMMAND=<emulator;program> -DPROGRAM=<file> -DSOURCE=unwind.c
#       -DADDR2LINE=<tool> -P CheckUnwind.cmake
# Runs unwind.c's program, checks both backtraces, and checks that
# addr2line maps the rewound "return address - 1" to the source line marked
# UNWIND-LINE.
execute_process(COMMAND ${COMMAND} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the program failed: ${rc}")
endif()
foreach(how backtrace _Unwind_Backtrace)
  if(NOT out MATCHES "unwind: ${how}: unwind_probe deferring_function main\n")
    message(FATAL_ERROR "${how} does not show unwind_probe <- deferring_function <- main")
  endif()
endforeach()
if(NOT out MATCHES "unwind: return address - 1 = (0x[0-9a-f]+)")
  message(FATAL_ERROR "no return address printed")
endif()
set(address ${CMAKE_MATCH_1})
file(READ ${SOURCE} text)
string(FIND "${text}" "/* UNWIND-LINE */" at)
string(SUBSTRING "${text}" 0 ${at} before)
string(REGEX REPLACE "[^\n]" "" newlines "${before}")
string(LENGTH "${newlines}" index)
math(EXPR line "${index} + 1")
execute_process(COMMAND ${ADDR2LINE} -e ${PROGRAM} ${address} OUTPUT_VARIABLE where
                OUTPUT_STRIP_TRAILING_WHITESPACE)
message("addr2line ${address}: ${where} (expected line ${line})")
if(NOT where MATCHES "unwind\\.c:${line}( |$)")
  message(FATAL_ERROR "addr2line maps the rewound return address - 1 to ${where}, not unwind.c:${line}")
endif()
