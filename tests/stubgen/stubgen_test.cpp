// The stub generator: names that need escaping come out byte-exact in the
// assembled object on every target, comments stay closed, and bad input is
// refused with nothing written.
#define BOOST_TEST_MODULE stubgen
#include <boost/test/unit_test.hpp>

#include <sys/stat.h>

#include <fstream>

#include "process.hpp"
#include "stubgen.hpp"
#include "test-config.hpp"

using modlink::test::read_file;
using modlink::test::run_process;
using modlink::test::shell_quote;
using modlink::test::TempDir;

namespace {

const std::string kAwkwardNames[] = {
    "libfoo.so",
    "lib\"quoted\".so",
    "back\\slash\\.so",
    "new\nline.so",
    "comment*/closer.so",
    "/*opener.so",
    "/*/both.so",  // "/*" escaped must not leave a "*/" with the next "/"
    "tab\tand\x01control.so",
    "utf8-\xc3\xa9t\xc3\xa9.so",
    "@MODULE_STRING@",  // a placeholder's spelling is only a name
};

bool exists(const std::string &path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

// The bytes of one section of an object file.
std::string section_bytes(const std::string &triple, const std::string &object,
                          const std::string &section, const TempDir &dir) {
  std::string out = dir.file("section.bin");
  auto r = run_process({triple + "-objcopy", "-O", "binary", "--only-section=" + section,
                        object, out});
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  return read_file(out);
}

}  // namespace

BOOST_AUTO_TEST_CASE(names_are_byte_exact_on_every_target) {
  for (const auto &target : kTargets) {
    for (const auto &name : kAwkwardNames) {
      BOOST_TEST_CONTEXT(target_name(target) << " name " << modlink::escape_comment(name)) {
        TempDir dir;
        auto stub = modlink::generate_stub({target.triple, name, false});
        modlink::write_stub(stub, dir.file("stub.s"), dir.file("stub.ld"));
        std::vector<std::string> as = {target.cc, "-c", dir.file("stub.s"), "-o",
                                       dir.file("stub.o")};
        auto r = run_process(as);
        BOOST_REQUIRE_MESSAGE(r.exit_code == 0, shell_quote(as) << "\n" << r.err);
        BOOST_TEST(r.err == "");  // no warning either
        BOOST_TEST(section_bytes(target.triple, dir.file("stub.o"), ".rodata.modlink", dir) ==
                   name + std::string(1, '\0'));
        // The fragment's header comment stays one closed comment: ld
        // parses the whole file.
        auto header_end = stub.ld_fragment.find("*/");
        BOOST_TEST(stub.ld_fragment.find("/*", 2) > header_end);
        BOOST_TEST(stub.ld_fragment.substr(0, header_end).find('\n') ==
                   stub.ld_fragment.find('\n'));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(the_fragment_with_an_awkward_name_links) {
  // ld itself reads the generated fragment (its header names the module).
  const auto &target = kTargets[0];
  TempDir dir;
  auto stub = modlink::generate_stub({target.triple, "x*/y\nz\"w", false});
  modlink::write_stub(stub, dir.file("stub.s"), dir.file("stub.ld"));
  std::string src = dir.file("lib.c");
  {
    std::ofstream(src) << "void modlink_addmoduledata(void) {}\n"
                          "void modlink_delmoduledata(void) {}\n"
                          "int f(void) { return 1; }\n";
  }
  std::vector<std::string> link = {target.cc, "-shared", "-fPIC", src, dir.file("stub.s"),
                                   "-Wl,-T," + dir.file("stub.ld"), "-o", dir.file("lib.so")};
  auto r = run_process(link);
  BOOST_TEST_MESSAGE(shell_quote(link));
  BOOST_TEST(r.exit_code == 0, r.err);
}

BOOST_AUTO_TEST_CASE(runtime_module_has_no_init_function) {
  for (const auto &target : kTargets) {
    BOOST_TEST_CONTEXT(target_name(target)) {
      auto normal = modlink::generate_stub({target.triple, "a", false});
      auto runtime = modlink::generate_stub({target.triple, "a", true});
      BOOST_TEST(normal.assembly.find(".init_array.00000") != std::string::npos);
      BOOST_TEST(normal.assembly.find(".fini_array.00000") != std::string::npos);
      BOOST_TEST(runtime.assembly.find(".init_array") == std::string::npos);
      BOOST_TEST(runtime.assembly.find("modlink_addmoduledata") == std::string::npos);
      BOOST_TEST(normal.assembly.find("\t.short\t0\t") != std::string::npos);
      BOOST_TEST(runtime.assembly.find("\t.short\t1\t") != std::string::npos);
    }
  }
}

BOOST_AUTO_TEST_CASE(bad_input_is_refused) {
  auto error_of = [](const modlink::StubRequest &req) -> std::string {
    try {
      modlink::generate_stub(req);
    } catch (const modlink::StubError &e) {
      return e.what();
    }
    return "(no error)";
  };
  std::string supported;
  for (const auto &target : modlink::platform::targets())
    supported += (supported.empty() ? "" : ", ") + target.triple;
  BOOST_TEST(error_of({"sparc64-linux-gnu", "a", false}) ==
             "unknown target 'sparc64-linux-gnu'; supported: " + supported);
  BOOST_TEST(error_of({kTargets[0].triple, "", false}) == "empty module name");
  BOOST_TEST(error_of({kTargets[0].triple, std::string("a\0b", 3), false}) ==
             "module name contains a NUL byte");
}

BOOST_AUTO_TEST_CASE(nothing_half_written) {
  TempDir dir;
  auto stub = modlink::generate_stub({kTargets[0].triple, "a", false});
  // The fragment cannot be written: the stub written first is removed too.
  std::string bad = dir.file("no-such-dir/stub.ld");
  BOOST_CHECK_THROW(modlink::write_stub(stub, dir.file("stub.s"), bad), modlink::StubError);
  BOOST_TEST(!exists(dir.file("stub.s")));
  auto r = run_process({"sh", "-c", "ls -A " + dir.path()});
  BOOST_TEST(r.out == "");  // no temporary left either
}

BOOST_AUTO_TEST_CASE(genstub_command_line) {
  TempDir dir;
  const std::string target = std::string("--target=") + kTargets[0].triple;
  auto r = run_process({MODLINK_GENSTUB, target, "--name=libx.so", "-o",
                        dir.file("s.s"), "--ld-fragment=" + dir.file("f.ld")});
  BOOST_TEST(r.exit_code == 0, r.err);
  BOOST_TEST(read_file(dir.file("s.s")).find(".asciz\t\"libx.so\"") != std::string::npos);
  r = run_process({MODLINK_GENSTUB, target, "--bogus"});
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(r.err == "modlink-genstub: error: unknown option '--bogus'\n");
  r = run_process({MODLINK_GENSTUB, "--target=mips", "--name=a", "-o", dir.file("m.s"),
                   "--ld-fragment=" + dir.file("m.ld")});
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(r.err.find("modlink-genstub: error: unknown target 'mips'") == 0);
  BOOST_TEST(!exists(dir.file("m.s")));
}
