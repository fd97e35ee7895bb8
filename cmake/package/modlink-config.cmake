# find_package(modlink CONFIG): modlink's runtime and GCC plugin for each
# target, and modlink_enable() to make a target a modlink module when the
# project compiles with plain gcc.  (With CMAKE_C_COMPILER set to a
# modlink-cc, for example through toolchain-<triple>.cmake next to this
# file, every target already is one, and modlink_enable() does nothing.)
#
#   MODLINK_PREFIX, MODLINK_CC, MODLINK_INCLUDE_DIR, MODLINK_TRIPLES
#   MODLINK_TRIPLE              the triple of this project's C compiler
#   modlink::runtime-<triple>         libmodlink.so        (imported)
#   modlink::runtime-static-<triple>  libmodlink.a
#   modlink::plugin-<triple>          the GCC plugin (its location)
#   modlink::runtime, modlink::runtime-static, modlink::plugin
#                                     the same for MODLINK_TRIPLE
#   modlink_enable(<target> [STATIC_RUNTIME])
get_filename_component(MODLINK_PREFIX "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
set(MODLINK_CC ${MODLINK_PREFIX}/bin/modlink-cc)
set(MODLINK_INCLUDE_DIR ${MODLINK_PREFIX}/include)
set(MODLINK_TRIPLES x86_64-linux-gnu i686-linux-gnu powerpc64le-linux-gnu)

foreach(_modlink_triple IN LISTS MODLINK_TRIPLES)
  set(_modlink_dir ${MODLINK_PREFIX}/lib/modlink/${_modlink_triple})
  if(NOT EXISTS ${_modlink_dir}/modlink.so OR TARGET modlink::plugin-${_modlink_triple})
    continue()
  endif()
  add_library(modlink::runtime-${_modlink_triple} SHARED IMPORTED)
  set_target_properties(modlink::runtime-${_modlink_triple} PROPERTIES
    IMPORTED_LOCATION ${_modlink_dir}/libmodlink.so
    IMPORTED_SONAME libmodlink.so
    INTERFACE_INCLUDE_DIRECTORIES ${MODLINK_INCLUDE_DIR})
  add_library(modlink::runtime-static-${_modlink_triple} STATIC IMPORTED)
  set_target_properties(modlink::runtime-static-${_modlink_triple} PROPERTIES
    IMPORTED_LOCATION ${_modlink_dir}/libmodlink.a
    INTERFACE_INCLUDE_DIRECTORIES ${MODLINK_INCLUDE_DIR}
    INTERFACE_LINK_LIBRARIES pthread)
  add_library(modlink::plugin-${_modlink_triple} MODULE IMPORTED)
  set_target_properties(modlink::plugin-${_modlink_triple} PROPERTIES
    IMPORTED_LOCATION ${_modlink_dir}/modlink.so)
endforeach()

# The triple of this project's C compiler (a modlink-cc answers for its target).
set(MODLINK_TRIPLE "")
if(CMAKE_C_COMPILER)
  execute_process(COMMAND ${CMAKE_C_COMPILER} -dumpmachine
                  OUTPUT_VARIABLE MODLINK_TRIPLE OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
endif()
if(MODLINK_TRIPLE AND TARGET modlink::plugin-${MODLINK_TRIPLE} AND NOT TARGET modlink::plugin)
  foreach(_modlink_kind runtime runtime-static plugin)
    add_library(modlink::${_modlink_kind} ALIAS modlink::${_modlink_kind}-${MODLINK_TRIPLE})
  endforeach()
endif()

function(modlink_enable target)
  cmake_parse_arguments(arg "STATIC_RUNTIME" "" "" ${ARGN})
  get_filename_component(compiler "${CMAKE_C_COMPILER}" NAME)
  if(compiler MATCHES "modlink-cc$")
    return()  # the driver does it all
  endif()
  if(NOT TARGET modlink::plugin)
    message(FATAL_ERROR "modlink: no modlink build for this C compiler's target "
                        "'${MODLINK_TRIPLE}' in ${MODLINK_PREFIX}")
  endif()
  get_target_property(plugin modlink::plugin-${MODLINK_TRIPLE} IMPORTED_LOCATION)
  target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:C>:-fplugin=${plugin}>)
  target_include_directories(${target} SYSTEM PRIVATE ${MODLINK_INCLUDE_DIR})

  get_target_property(type ${target} TYPE)
  if(NOT type MATCHES "^(EXECUTABLE|SHARED_LIBRARY|MODULE_LIBRARY)$")
    return()  # objects and archives become part of a module when linked
  endif()
  # The registration stub and ld fragment, named after the output file.
  set(name "$<TARGET_FILE_NAME:${target}>")
  set(dir ${CMAKE_CURRENT_BINARY_DIR}/modlink/${target})
  set(runtime_module "")
  if(arg_STATIC_RUNTIME)
    set(runtime_module --runtime-module)
  endif()
  # Assembled by the C compiler here, so that the project needs no ASM.
  add_custom_command(OUTPUT ${dir}/stub.o ${dir}/modlink.ld
    COMMAND ${CMAKE_COMMAND} -E make_directory ${dir}
    COMMAND ${MODLINK_CC} --modlink-genstub --target=${MODLINK_TRIPLE} --name=${name}
            ${runtime_module} -o ${dir}/stub.s --ld-fragment=${dir}/modlink.ld
    COMMAND ${CMAKE_C_COMPILER} -c ${dir}/stub.s -o ${dir}/stub.o
    DEPENDS ${MODLINK_CC}
    COMMENT "modlink stub for ${target}" VERBATIM)
  set_source_files_properties(${dir}/stub.o PROPERTIES EXTERNAL_OBJECT ON GENERATED ON)
  target_sources(${target} PRIVATE ${dir}/stub.o)
  target_link_options(${target} PRIVATE "LINKER:-T,${dir}/modlink.ld")
  set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS ${dir}/modlink.ld)
  if(arg_STATIC_RUNTIME)
    target_link_libraries(${target} PRIVATE modlink::runtime-static)
    target_link_options(${target} PRIVATE "LINKER:--export-dynamic-symbol=modlink_*")
  else()
    target_link_libraries(${target} PRIVATE modlink::runtime)
    get_target_property(runtime modlink::runtime IMPORTED_LOCATION)
    get_filename_component(runtime_dir ${runtime} DIRECTORY)
    set_property(TARGET ${target} APPEND PROPERTY BUILD_RPATH ${runtime_dir})
  endif()
endfunction()
