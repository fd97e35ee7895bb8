# modlink_embed_stub_templates(<header>): a custom command that writes
# <header>, the stub generator's templates embedded by EmbedTemplates.cmake.
# Used by stubgen/ and by the fuzz targets (fuzz/), which compile
# stubgen.cpp themselves.
#
# The templates: runtime-asm/stub-moduledata.s.in (every target), the
# register template of each arch built (MODLINK_TRIPLES, by default every
# target of the platform table),
# runtime-asm/<arch>/stub-register.s.in, in the table templates::stub_register
# keyed by arch, and the ld fragment.
include(${CMAKE_CURRENT_LIST_DIR}/Platform.cmake)
set(MODLINK_STUB_TEMPLATES_ROOT ${CMAKE_CURRENT_LIST_DIR}/..)

function(modlink_embed_stub_templates header)
  set(root ${MODLINK_STUB_TEMPLATES_ROOT})
  set(templates
    stub_moduledata=${root}/runtime-asm/stub-moduledata.s.in
    ld_fragment_header=${root}/ldscripts/header.ld.in
    ld_fragment=${root}/ldscripts/modlink.ld)
  set(arches "")
  set(register_index "")
  set(triples ${MODLINK_TRIPLES})
  if(NOT triples)
    set(triples ${MODLINK_ALL_TRIPLES})
  endif()
  foreach(triple IN LISTS triples)
    modlink_platform_field(${triple} arch arch)
    if(arch IN_LIST arches)
      continue()
    endif()
    set(file ${root}/runtime-asm/${arch}/stub-register.s.in)
    if(NOT EXISTS ${file})
      message(FATAL_ERROR "modlink: ${triple} has no registration stub template: ${file}")
    endif()
    string(MAKE_C_IDENTIFIER "stub_register_${arch}" name)
    list(APPEND arches ${arch})
    list(APPEND templates ${name}=${file})
    list(APPEND register_index ${arch}=${name})
  endforeach()
  set(template_files "")
  foreach(pair IN LISTS templates)
    string(REGEX REPLACE "^[^=]*=" "" f "${pair}")
    list(APPEND template_files ${f})
  endforeach()
  string(REPLACE ";" "|" templates_arg "${templates}")
  string(REPLACE ";" "|" index_arg "${register_index}")
  add_custom_command(OUTPUT ${header}
    COMMAND ${CMAKE_COMMAND} "-DOUTPUT=${header}" "-DTEMPLATES=${templates_arg}"
            "-DREGISTER_INDEX=${index_arg}" -P ${root}/cmake/EmbedTemplates.cmake
    DEPENDS ${template_files} ${root}/cmake/EmbedTemplates.cmake ${MODLINK_PLATFORM_TABLE}
    COMMENT "Embedding the stub templates" VERBATIM)
endfunction()
