# Every call to SYMBOL in the linked FILE has the instruction form FORM:
# which of a target's call forms the link produced at the paired sites.
#
#   cmake -DOBJDUMP=<objdump> -DFILE=<file> -DSYMBOL=<sym> -DFORM=<regex> -P CheckCallForm.cmake
#
# A call to SYMBOL is a disassembled line that names it (<SYMBOL> or
# <SYMBOL@plt>) as a jump target or in a "#" comment, outside SYMBOL's own
# PLT entry; FORM is matched against that line.  Fails when there is none.
execute_process(COMMAND ${OBJDUMP} -d --no-show-raw-insn ${FILE} OUTPUT_VARIABLE dis RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${OBJDUMP} failed on ${FILE}")
endif()
string(REPLACE ";" "\\;" dis "${dis}")
string(REPLACE "\n" ";" lines "${dis}")
set(calls 0)
set(bad "")
set(in_plt FALSE)
foreach(line IN LISTS lines)
  if(line MATCHES "^[0-9a-f]+ <([^>]+)>:$")
    string(COMPARE EQUAL "${CMAKE_MATCH_1}" "${SYMBOL}@plt" in_plt)
    continue()
  endif()
  if(in_plt OR NOT line MATCHES "<${SYMBOL}(@plt)?>$")
    continue()
  endif()
  math(EXPR calls "${calls} + 1")
  if(NOT line MATCHES "${FORM}")
    string(APPEND bad "\n  ${line}")
  endif()
endforeach()
if(calls EQUAL 0)
  message(FATAL_ERROR "${FILE}: no call to ${SYMBOL}")
endif()
if(bad)
  message(FATAL_ERROR "${FILE}: calls to ${SYMBOL} not of the form '${FORM}':${bad}")
endif()
message("${FILE}: ${calls} calls to ${SYMBOL}, all of the form '${FORM}'")
