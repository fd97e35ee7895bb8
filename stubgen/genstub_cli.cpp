// The command line of the stub generator, shared by modlink-genstub and by
// modlink-cc's --modlink-genstub step:
//
//   PROG --target=TRIPLE --name=NAME [--runtime-module]
//        -o STUB.s --ld-fragment=FRAGMENT.ld
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "stubgen.hpp"

namespace {

struct UsageError {
  std::string message;
};

[[noreturn]] void fail(const std::string &message) { throw UsageError{message}; }

bool value_of(const char *arg, const char *option, std::string &out) {
  size_t n = std::strlen(option);
  if (std::strncmp(arg, option, n) != 0 || arg[n] != '=') return false;
  out = arg + n + 1;
  return true;
}

}  // namespace

int modlink::genstub_main(const char *prog, int argc, char **argv) try {
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
      std::printf("usage: %s --target=TRIPLE --name=NAME "
                  "[--runtime-module] -o STUB.s --ld-fragment=FRAGMENT.ld\n", prog);
      return 0;
    } else {
      fail(std::string("unknown option '") + a + "'");
    }
  }
  if (request.triple.empty()) fail("missing --target=TRIPLE");
  if (request.module_name.empty()) fail("missing --name=NAME");
  if (assembly_path.empty()) fail("missing -o STUB.s");
  if (ld_path.empty()) fail("missing --ld-fragment=FRAGMENT.ld");
  modlink::write_stub(modlink::generate_stub(request), assembly_path, ld_path);
  return 0;
} catch (const UsageError &e) {
  std::fprintf(stderr, "%s: error: %s\n", prog, e.message.c_str());
  return 1;
} catch (const modlink::StubError &e) {
  std::fprintf(stderr, "%s: error: %s\n", prog, e.what());
  return 1;
}
