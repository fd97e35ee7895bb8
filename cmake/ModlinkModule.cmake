# Helpers of the target sub-builds: make a CMake target a modlink module,
# the way modlink-cc does for a link step.
#
# modlink_module(<target> [NAME <basename>] [RUNTIME_MODULE] [LD_FRAGMENT_VAR <var>])
#   Generates the target's registration stub and ld fragment with
#   modlink-genstub, adds the stub to its sources and links with
#   -Wl,-T,<fragment>.  NAME defaults to the target's output file name.
#   RUNTIME_MODULE: the module contains the runtime (no init function).
function(modlink_module target)
  cmake_parse_arguments(arg "RUNTIME_MODULE" "NAME;LD_FRAGMENT_VAR" "" ${ARGN})
  if(NOT arg_NAME)
    get_target_property(type ${target} TYPE)
    get_target_property(out ${target} OUTPUT_NAME)
    if(NOT out)
      set(out ${target})
    endif()
    if(type STREQUAL "SHARED_LIBRARY")
      set(arg_NAME lib${out}.so)
    else()
      set(arg_NAME ${out})
    endif()
  endif()
  set(dir ${CMAKE_CURRENT_BINARY_DIR}/modlink-stubs)
  set(stub ${dir}/${target}.s)
  set(fragment ${dir}/${target}.ld)
  set(flags "")
  if(arg_RUNTIME_MODULE)
    set(flags --runtime-module)
  endif()
  add_custom_command(OUTPUT ${stub} ${fragment}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${dir}
    COMMAND ${MODLINK_GENSTUB} --target=${MODLINK_TRIPLE} "--name=${arg_NAME}"
            ${flags} -o ${stub} --ld-fragment=${fragment}
    DEPENDS ${MODLINK_GENSTUB}
    COMMENT "modlink stub for ${arg_NAME}")
  set_source_files_properties(${stub} PROPERTIES LANGUAGE ASM)
  target_sources(${target} PRIVATE ${stub})
  target_link_options(${target} PRIVATE "LINKER:-T,${fragment}")
  set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS ${fragment})
  if(arg_LD_FRAGMENT_VAR)
    set(${arg_LD_FRAGMENT_VAR} ${fragment} PARENT_SCOPE)
  endif()
endfunction()
