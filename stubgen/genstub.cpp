// modlink-genstub: writes a module's registration stub and ld fragment.
//
//   modlink-genstub --target=TRIPLE --name=NAME [--runtime-module]
//                   -o STUB.s --ld-fragment=FRAGMENT.ld
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "stubgen.hpp"

namespace {

[[noreturn]] void fail(const std::string &message) {
  std::fprintf(stderr, "modlink-genstub: error: %s\n", message.c_str());
  std::exit(1);
}

bool value_of(const char *arg, const char *option, std::string &out) {
  size_t n = std::strlen(option);
  if (std::strncmp(arg, option, n) != 0 || arg[n] != '=') return false;
  out = arg + n + 1;
  return true;
}

}  // namespace

int main(int argc, char **argv) {
  modlink::StubRequest request;
  std::string assembly_path, ld_path;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (value_of(a, "--target", request.triple) || value_of(a, "--name", request.module_name) ||
        value_of(a, "--ld-fragment", ld_path))
      continue;
    if (std::strcmp(a, "--runtime-module") == 0) {
      request.runtime_module = true;
    } else if (std::strcmp(a, "-o") == 0) {
      if (++i == argc) fail("missing file name after '-o'");
      assembly_path = argv[i];
    } else if (std::strcmp(a, "--help") == 0) {
      std::printf("usage: modlink-genstub --target=TRIPLE --name=NAME "
                  "[--runtime-module] -o STUB.s --ld-fragment=FRAGMENT.ld\n");
      return 0;
    } else {
      fail(std::string("unknown option '") + a + "'");
    }
  }
  if (request.triple.empty()) fail("missing --target=TRIPLE");
  if (request.module_name.empty()) fail("missing --name=NAME");
  if (assembly_path.empty()) fail("missing -o STUB.s");
  if (ld_path.empty()) fail("missing --ld-fragment=FRAGMENT.ld");
  try {
    modlink::write_stub(modlink::generate_stub(request), assembly_path, ld_path);
  } catch (const modlink::StubError &e) {
    fail(e.what());
  }
  return 0;
}
