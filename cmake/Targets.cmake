# The three targets modlink supports, in one table.
#
#   triple                 GCC backend  Debian suffix            emulator
set(MODLINK_ALL_TRIPLES x86_64-linux-gnu i686-linux-gnu powerpc64le-linux-gnu)

# modlink_triple_info(<triple>) sets, in the caller's scope:
#   MODLINK_ARCH      the GCC backend the plugin hooks into (i386, rs6000)
#   MODLINK_PROCESSOR CMAKE_SYSTEM_PROCESSOR for the target
#   MODLINK_GCC       the target's C compiler, MODLINK_GXX its C++ compiler
#   MODLINK_EMULATOR  how to run the target's programs here (a list, may be empty)
function(modlink_triple_info triple)
  if(triple STREQUAL "x86_64-linux-gnu")
    set(arch i386)
    set(processor x86_64)
    set(emulator "")
  elseif(triple STREQUAL "i686-linux-gnu")
    set(arch i386)
    set(processor i686)
    set(emulator qemu-i386 -L /usr/i686-linux-gnu)
  elseif(triple STREQUAL "powerpc64le-linux-gnu")
    set(arch rs6000)
    set(processor ppc64le)
    set(emulator qemu-ppc64le -L /usr/powerpc64le-linux-gnu)
  else()
    message(FATAL_ERROR "modlink: unknown target '${triple}'; "
                        "supported: ${MODLINK_ALL_TRIPLES}")
  endif()
  set(MODLINK_ARCH ${arch} PARENT_SCOPE)
  set(MODLINK_PROCESSOR ${processor} PARENT_SCOPE)
  set(MODLINK_GCC ${triple}-gcc-12 PARENT_SCOPE)
  set(MODLINK_GXX ${triple}-g++-12 PARENT_SCOPE)
  set(MODLINK_EMULATOR "${emulator}" PARENT_SCOPE)
endfunction()
