// The stub generator: for one target and one module name, the assembly of
// the module's registration stub and its ld fragment, filled in from the
// templates in runtime-asm/ and ldscripts/.  modlink-cc links both into
// every module; modlink-genstub is its command-line face.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace modlink {

struct StubError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct StubRequest {
  std::string triple;       // one of supported_triples()
  std::string module_name;  // basename of the output, e.g. "libfoo.so"
  // The module contains the runtime (libmodlink.so, or an executable
  // linked with libmodlink.a): module data only, registered statically by
  // that runtime, with no init or fini function.
  bool runtime_module = false;
};

struct Stub {
  std::string assembly;     // GNU as source (.s, not preprocessed)
  std::string ld_fragment;  // for -Wl,-T,<file>
};

const std::vector<std::string> &supported_triples();

// Whether this build has the registration template of a table target
// (a build restricted with -DMODLINK_TRIPLES has only its targets').
bool stub_target_built(const std::string &triple);

// Throws StubError for an unknown triple, one this build left out, or an
// unusable module name.
Stub generate_stub(const StubRequest &request);

// Writes both files, each through a temporary file renamed into place: on
// failure neither is left half-written.  Throws StubError.
void write_stub(const Stub &stub, const std::string &assembly_path,
                const std::string &ld_fragment_path);

// The command line "--target=T --name=N [--runtime-module] -o S
// --ld-fragment=F" (argv[0] is skipped), with errors as "PROG: error: ...".
// Returns the exit status.
int genstub_main(const char *prog, int argc, char **argv);

// The module name inside a GNU as string literal, and inside a comment.
std::string escape_as_string(std::string_view s);
std::string escape_comment(std::string_view s);

}  // namespace modlink
