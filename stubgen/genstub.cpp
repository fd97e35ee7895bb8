// modlink-genstub: writes a module's registration stub and ld fragment.
//
//   modlink-genstub --target=TRIPLE --name=NAME [--runtime-module]
//                   -o STUB.s --ld-fragment=FRAGMENT.ld
#include "stubgen.hpp"

int main(int argc, char **argv) { return modlink::genstub_main("modlink-genstub", argc, argv); }
