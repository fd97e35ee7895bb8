# cmake -DREADELF=<tool> -DCC=<compiler> -DMARKED=<archives> -DBTI=<modules>
#       -P CheckBranchProtection.cmake
# Every object of the archives MARKED carries the GNU property "AArch64
# feature: BTI, PAC" (or the AArch64 build attributes that say so): the linker ANDs it, so one object without it would
# unmark every module the runtime is linked into.  The linked MODULES are
# marked BTI (the loader then enforces it).  Control: an object compiled
# without -mbranch-protection has no such note, so the check can see its
# absence.
function(count_marks file objects marks)
  set(mark "${ARGV3}")
  if(NOT mark)
    set(mark "BTI, PAC")
  endif()
  # GCC 12 to 15 mark an object with a GNU property note; GCC 16, with an
  # assembler that has them, with AArch64 build attributes instead
  # (readelf -A: Tag_Feature_BTI and _PAC), which ld turns into the note
  # of the linked file.  Either form counts.
  execute_process(COMMAND ${READELF} -n -A ${file} OUTPUT_VARIABLE text RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${READELF} -n -A ${file} failed")
  endif()
  string(REPLACE ";" "," text "${text}")
  string(REPLACE "\nFile: " ";" chunks "\n${text}")
  list(LENGTH chunks n)
  if(n GREATER 1)
    list(REMOVE_AT chunks 0)  # what precedes the first archive member
    math(EXPR n "${n} - 1")
  endif()
  set(m 0)
  foreach(chunk IN LISTS chunks)
    set(attributes TRUE)
    foreach(feature BTI PAC)
      if(mark MATCHES "${feature}" AND NOT chunk MATCHES "Tag_Feature_${feature}:[ \t]+1")
        set(attributes FALSE)
      endif()
    endforeach()
    if(chunk MATCHES "AArch64 feature: ${mark}" OR attributes)
      math(EXPR m "${m} + 1")
    endif()
  endforeach()
  message("${file}: ${n} object(s), ${m} marked ${mark}")
  set(${objects} ${n} PARENT_SCOPE)
  set(${marks} ${m} PARENT_SCOPE)
endfunction()

set(dir ${CMAKE_CURRENT_BINARY_DIR}/branch-protection-check)
file(MAKE_DIRECTORY ${dir})
file(WRITE ${dir}/plain.c "int plain(void) { return 1; }\n")
execute_process(COMMAND ${CC} -mbranch-protection=none -c ${dir}/plain.c -o ${dir}/plain.o RESULT_VARIABLE rc)
count_marks(${dir}/plain.o n m)
if(NOT rc EQUAL 0 OR NOT m EQUAL 0)
  message(FATAL_ERROR "control: an object compiled with -mbranch-protection=none is marked (or did not build)")
endif()
foreach(file IN LISTS MARKED)
  count_marks(${file} n m)
  if(NOT n EQUAL m)
    message(FATAL_ERROR "${file}: ${n} object(s), only ${m} marked BTI, PAC")
  endif()
endforeach()
foreach(file IN LISTS BTI)
  count_marks(${file} n m "BTI")
  if(NOT m EQUAL 1)
    message(FATAL_ERROR "${file} is not marked BTI")
  endif()
endforeach()
