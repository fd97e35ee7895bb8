# cmake -DCOMMAND=<program;args> -DEXPECTED=<file> -DACTUAL=<file> -P CheckTranscript.cmake
# Runs the program and compares its output with the expected transcript,
# with every address (0x...) masked.  Writes the masked output to ACTUAL.
execute_process(COMMAND ${COMMAND} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
string(REGEX REPLACE "0x[0-9a-f]+" "0x..." masked "${out}${err}")
file(WRITE ${ACTUAL} "${masked}")
file(READ ${EXPECTED} expected)
if(NOT rc EQUAL 0 OR NOT masked STREQUAL expected)
  execute_process(COMMAND diff -u ${EXPECTED} ${ACTUAL} OUTPUT_VARIABLE diff)
  message(FATAL_ERROR "exit status ${rc}; the transcript differs from ${EXPECTED}:\n${diff}")
endif()
message("transcript matches ${EXPECTED}")
