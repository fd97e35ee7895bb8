# cmake -DOBJCOPY=<objcopy> -DOBJECTS=<o|...> -DOUT=<dir> -P WeakenObjects.cmake
# Copies each object to OUT with every global symbol made weak (objcopy
# --weaken), so that the GCC plugin linked from them has only weak
# undefined references to GCC's internals (see gcc-plugin/CMakeLists.txt).
file(MAKE_DIRECTORY ${OUT})
string(REPLACE "|" ";" OBJECTS "${OBJECTS}")
foreach(object IN LISTS OBJECTS)
  get_filename_component(name ${object} NAME)
  execute_process(COMMAND ${OBJCOPY} --weaken ${object} ${OUT}/${name} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "objcopy --weaken ${object} failed")
  endif()
endforeach()
