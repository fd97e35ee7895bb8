# modlink_embed_stub_templates(<header>): a custom command that writes
# <header>, the stub generator's templates embedded by EmbedTemplates.cmake.
# Used by stubgen/ and by the fuzz targets (fuzz/), which compile
# stubgen.cpp themselves.
set(MODLINK_STUB_TEMPLATES_ROOT ${CMAKE_CURRENT_LIST_DIR}/..)

function(modlink_embed_stub_templates header)
  set(root ${MODLINK_STUB_TEMPLATES_ROOT})
  set(templates
    stub_moduledata=${root}/runtime-asm/stub-moduledata.s.in
    x86_64_stub_register=${root}/runtime-asm/x86_64/stub-register.s.in
    i686_stub_register=${root}/runtime-asm/i686/stub-register.s.in
    ppc64le_stub_register=${root}/runtime-asm/ppc64le/stub-register.s.in
    ld_fragment_header=${root}/ldscripts/header.ld.in
    ld_fragment=${root}/ldscripts/modlink.ld)
  set(template_files "")
  foreach(pair IN LISTS templates)
    string(REGEX REPLACE "^[^=]*=" "" f "${pair}")
    list(APPEND template_files ${f})
  endforeach()
  string(REPLACE ";" "|" templates_arg "${templates}")
  add_custom_command(OUTPUT ${header}
    COMMAND ${CMAKE_COMMAND} "-DOUTPUT=${header}" "-DTEMPLATES=${templates_arg}"
            -P ${root}/cmake/EmbedTemplates.cmake
    DEPENDS ${template_files} ${root}/cmake/EmbedTemplates.cmake
    COMMENT "Embedding the stub templates" VERBATIM)
endfunction()
