# cmake -DREADELF=<tool> -DCC=<compiler> -DUNMARKED=<files> [-DFORCED=<file>]
#       -P CheckCet.cmake
# The files that contain the rewinding runtime must not be marked
# shadow-stack compatible (GNU property "x86 feature: ... SHSTK"), or the
# loader would turn shadow stacks on and the first rewound return would
# fault.  Controls: an object compiled with -fcf-protection=full is marked,
# and FORCED (linked with -z shstk) is marked, so the check can see a mark.
function(x86_features file out)
  execute_process(COMMAND ${READELF} -n ${file} OUTPUT_VARIABLE notes RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${READELF} -n ${file} failed")
  endif()
  set(features "(none)")
  if(notes MATCHES "x86 feature: ([^\n]*)")
    set(features "${CMAKE_MATCH_1}")
  endif()
  message("${file}: x86 feature: ${features}")
  set(${out} "${features}" PARENT_SCOPE)
endfunction()

set(dir ${CMAKE_CURRENT_BINARY_DIR}/cet-check)
file(MAKE_DIRECTORY ${dir})
file(WRITE ${dir}/marked.c "int marked(void) { return 1; }\n")
execute_process(COMMAND ${CC} -fcf-protection=full -c ${dir}/marked.c -o ${dir}/marked.o
                RESULT_VARIABLE rc)
x86_features(${dir}/marked.o features)
if(NOT features MATCHES "SHSTK")
  message(FATAL_ERROR "control: an object compiled with -fcf-protection=full is not marked SHSTK")
endif()
if(FORCED)
  x86_features(${FORCED} features)
  if(NOT features MATCHES "SHSTK")
    message(FATAL_ERROR "control: ${FORCED}, linked with -z shstk, is not marked SHSTK")
  endif()
endif()
foreach(file IN LISTS UNMARKED)
  x86_features(${file} features)
  if(features MATCHES "SHSTK")
    message(FATAL_ERROR "${file} contains the rewinding runtime but is marked SHSTK")
  endif()
endforeach()
