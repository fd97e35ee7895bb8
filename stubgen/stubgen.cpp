#include "stubgen.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <unistd.h>

#include "platform.hpp"
#include "stubgen-templates.hpp"

namespace modlink {
namespace {

// The target's registration template, runtime-asm/<arch>/stub-register.s.in
// (CMake embeds one for each arch built).
std::string_view register_template(const std::string &triple) {
  const platform::Target *target = platform::find(triple);
  if (!target) throw StubError(platform::unknown_target_message(triple));
  for (const auto &t : templates::stub_register)
    if (t.arch == target->arch) return t.text;
  throw StubError("this modlink was built without the target " + triple);
}

}  // namespace

bool stub_target_built(const std::string &triple) {
  const platform::Target *target = platform::find(triple);
  if (!target) return false;
  for (const auto &t : templates::stub_register)
    if (t.arch == target->arch) return true;
  return false;
}

namespace {

void check_module_name(const std::string &name) {
  if (name.empty()) throw StubError("empty module name");
  if (name.find('\0') != std::string::npos)
    throw StubError("module name contains a NUL byte");
}

// Replaces every @KEY@ of `vars` in `text`; an unknown @KEY@ is a bug in a
// template, so it throws.
std::string fill(std::string_view text,
                 const std::vector<std::pair<std::string, std::string>> &vars) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    size_t at = text.find('@', i);
    size_t end = at == std::string_view::npos ? at : text.find('@', at + 1);
    if (end == std::string_view::npos) {
      out.append(text.substr(i));
      break;
    }
    std::string_view key = text.substr(at + 1, end - at - 1);
    const std::string *value = nullptr;
    for (const auto &[k, v] : vars)
      if (k == key) value = &v;
    bool is_key = !key.empty() && key.find_first_not_of(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ_") == std::string_view::npos;
    if (!value && is_key)
      throw StubError("template uses unknown placeholder @" + std::string(key) + "@");
    if (!value) {  // an '@' of the assembly itself, e.g. @function, @toc@ha
      out.append(text.substr(i, at + 1 - i));
      i = at + 1;
      continue;
    }
    out.append(text.substr(i, at - i));
    out.append(*value);
    i = end + 1;
  }
  return out;
}

// PATH is written through a temporary file next to it, renamed into place.
// The temporary's name is short: PATH plus a suffix could be longer than
// the file system allows where PATH itself is not.
void write_atomically(const std::string &path, const std::string &content) {
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "" : path.substr(0, slash + 1);
  std::string tmp = dir + ".modlink-genstub." + std::to_string(getpid()) + ".tmp";
  auto fail = [&](int reason) {
    std::remove(tmp.c_str());
    throw StubError("cannot write '" + path + "': " + std::strerror(reason));
  };
  {
    errno = 0;
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) fail(errno ? errno : EIO);
    out << content;
    out.close();
    if (!out) fail(errno ? errno : EIO);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) fail(errno);
}

}  // namespace

const std::vector<std::string> &supported_triples() {
  static const std::vector<std::string> triples = [] {
    std::vector<std::string> v;
    for (const auto &t : platform::targets()) v.push_back(t.triple);
    return v;
  }();
  return triples;
}

std::string escape_as_string(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += char(c);
    } else if (c >= 0x20 && c < 0x7f) {
      out += char(c);
    } else {  // GNU as: a backslash and exactly three octal digits
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\%03o", c);
      out += buf;
    }
  }
  return out;
}

std::string escape_comment(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); i++) {
    unsigned char c = s[i];
    if (c == '/' && !out.empty() && out.back() == '*') {
      out += "\\/";  // never close the comment, "/*/" included
    } else if (c == '/' && i + 1 < s.size() && s[i + 1] == '*') {
      out += "/\\*";  // nor seem to open another
      i++;
    } else if (c == '\\' || c == '"') {
      out += '\\';
      out += char(c);
    } else if (c >= 0x20 && c < 0x7f) {
      out += char(c);
    } else {
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  return out;
}

Stub generate_stub(const StubRequest &request) {
  std::string_view target_template = register_template(request.triple);
  check_module_name(request.module_name);
  const std::vector<std::pair<std::string, std::string>> vars = {
      {"TRIPLE", request.triple},
      {"MODULE_STRING", escape_as_string(request.module_name)},
      {"MODULE_COMMENT", escape_comment(request.module_name)},
      {"FLAGS", request.runtime_module ? "1" : "0"},
  };
  Stub stub;
  stub.assembly = fill(templates::stub_moduledata, vars);
  if (!request.runtime_module)
    stub.assembly += fill(target_template, vars);
  stub.ld_fragment = fill(templates::ld_fragment_header, vars) +
                     std::string(templates::ld_fragment);
  return stub;
}

void write_stub(const Stub &stub, const std::string &assembly_path,
                const std::string &ld_fragment_path) {
  write_atomically(assembly_path, stub.assembly);
  try {
    write_atomically(ld_fragment_path, stub.ld_fragment);
  } catch (...) {
    std::remove(assembly_path.c_str());
    throw;
  }
}

}  // namespace modlink
