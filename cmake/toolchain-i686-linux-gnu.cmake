# CMake toolchain file: build for i686-linux-gnu with Debian's gcc-12.
# cmake -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-i686-linux-gnu.cmake ...
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR i686)
set(CMAKE_C_COMPILER i686-linux-gnu-gcc-12)
set(CMAKE_CXX_COMPILER i686-linux-gnu-g++-12)
set(CMAKE_ASM_COMPILER i686-linux-gnu-gcc-12)
set(CMAKE_FIND_ROOT_PATH /usr/i686-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
# This kernel does not run i686 binaries natively.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-i386 -L /usr/i686-linux-gnu)
