# The generated __modlink_init, as objdump shows it in linked modules, is
# exactly the expected instruction sequence (one regex per instruction,
# addresses and displacements shown as X) for the target; on i386 it is
# the seed's (Go's gentext for linux/386):
#   push %ebx; call __x86.get_pc_thunk.cx; lea md(%ecx),%eax;
#   lea GOT(%ecx),%ebx; call addmoduledata@PLT; pop %ebx; ret
#
#   cmake -DOBJDUMP=<objdump> -DARCH=<i686|x86_64|ppc64le> -DFILES=<f;...> -P CheckInitShape.cmake
cmake_policy(SET CMP0007 NEW)
if(ARCH STREQUAL "i686")
  set(expected
    "push %ebx"
    "call X <__x86.get_pc_thunk.cx>"
    "lea X\\(%ecx\\),%eax"
    "lea X\\(%ecx\\),%ebx"
    "call X <modlink_addmoduledata@plt>"
    "pop %ebx"
    "ret")
elseif(ARCH STREQUAL "x86_64")
  set(expected
    "lea X\\(%rip\\),%rdi # X <__modlink_moduledata>"
    "jmp X <modlink_addmoduledata@plt>")
else()
  set(expected
    "addis r2,r12,X|lis r2,X"   # ld turns the global entry absolute in non-PIE
    "addi r2,r2,X"
    "mflr r0"
    "std r0,16\\(r1\\)"
    "stdu r1,-32\\(r1\\)"
    "addis r3,r2,X"
    "addi r3,r3,X"
    "bl X <X\\.plt_call\\.modlink_addmoduledata>"
    "ld r2,24\\(r1\\)"        # the nop, rewritten by ld after a PLT call
    "addi r1,r1,X"
    "ld r0,16\\(r1\\)"
    "mtlr r0"
    "blr")
endif()
foreach(file IN LISTS FILES)
  execute_process(COMMAND ${OBJDUMP} -d --no-show-raw-insn ${file}
                  OUTPUT_VARIABLE dis RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${OBJDUMP} failed on ${file}")
  endif()
  string(REGEX MATCH "<__modlink_init>:\n([^\n]+\n)+" body "${dis}")
  if(NOT body)
    message(FATAL_ERROR "${file}: no __modlink_init")
  endif()
  string(REPLACE "\n" ";" lines "${body}")
  list(REMOVE_AT lines 0)
  set(got "")
  foreach(line IN LISTS lines)
    # "  1234:\tlea    0x2e3c(%ecx),%eax" -> "lea X(%ecx),%eax"
    string(REGEX REPLACE "^ *[0-9a-f]+:[ \t]*" "" line "${line}")
    string(REGEX REPLACE "[ \t]+" " " line "${line}")
    string(REGEX REPLACE "-?0x[0-9a-f]+" "X" line "${line}")
    string(REGEX REPLACE "^(call|jmp|bl) [0-9a-f]+ <" "\\1 X <" line "${line}")
    string(REGEX REPLACE "# [0-9a-f]+ <" "# X <" line "${line}")
    string(REGEX REPLACE "<[0-9a-f]+\\.plt_call\\." "<X.plt_call." line "${line}")
    string(REGEX REPLACE ",-?[0-9]+$" ",X" line "${line}")
    string(STRIP "${line}" line)
    if(line STREQUAL "" OR line MATCHES "^(nop|xchg %ax,%ax|lea X\\(%esi,%eiz,1\\),%esi|cs nopw.*|data16.*|\\.\\.\\.)")
      continue()  # alignment padding after ret
    endif()
    list(APPEND got "${line}")
    if(line STREQUAL "ret" OR line STREQUAL "blr" OR line MATCHES "^jmp ")
      break()
    endif()
  endforeach()
  list(LENGTH got ngot)
  list(LENGTH expected nexpected)
  set(same TRUE)
  if(NOT ngot EQUAL nexpected)
    set(same FALSE)
  else()
    foreach(i RANGE 1 ${ngot})
      math(EXPR j "${i} - 1")
      list(GET got ${j} g)
      list(GET expected ${j} e)
      if(NOT g MATCHES "^(${e})$")
        set(same FALSE)
      endif()
    endforeach()
  endif()
  if(NOT same)
    string(JOIN "\n  " g ${got})
    string(JOIN "\n  " e ${expected})
    message(FATAL_ERROR "${file}: __modlink_init is\n  ${g}\nexpected\n  ${e}")
  endif()
  message("${file}: __modlink_init has the expected shape")
endforeach()
