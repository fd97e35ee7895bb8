# CMake toolchain file: build for x86_64-linux-gnu with Debian's gcc-12.
# cmake -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-x86_64-linux-gnu.cmake ...
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(CMAKE_C_COMPILER x86_64-linux-gnu-gcc-12)
set(CMAKE_CXX_COMPILER x86_64-linux-gnu-g++-12)
set(CMAKE_ASM_COMPILER x86_64-linux-gnu-gcc-12)
