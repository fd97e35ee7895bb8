# CMake toolchain file: build for powerpc64le-linux-gnu with Debian's gcc-12.
# cmake -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-powerpc64le-linux-gnu.cmake ...
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR ppc64le)
set(CMAKE_C_COMPILER powerpc64le-linux-gnu-gcc-12)
set(CMAKE_CXX_COMPILER powerpc64le-linux-gnu-g++-12)
set(CMAKE_ASM_COMPILER powerpc64le-linux-gnu-gcc-12)
set(CMAKE_FIND_ROOT_PATH /usr/powerpc64le-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
# This kernel does not run ppc64le binaries natively.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-ppc64le -L /usr/powerpc64le-linux-gnu)
