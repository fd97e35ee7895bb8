// Run a command without a shell and capture what it prints.
#pragma once
#include <string>
#include <vector>

namespace modlink::test {

struct ProcessResult {
    int exit_code = -1;   // exit status, or 128 + signal number
    std::string out;
    std::string err;
};

// EXTRA_ENV entries are NAME=VALUE; CWD, if not empty, is the child's directory.
ProcessResult run_process(const std::vector<std::string> &argv,
                          const std::vector<std::string> &extra_env = {},
                          const std::string &cwd = "");

// The argv quoted for a shell, for failure messages a reader can rerun.
std::string shell_quote(const std::vector<std::string> &argv);

std::string read_file(const std::string &path);

// A fresh directory under $TMPDIR, removed by the destructor.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir &) = delete;
    TempDir &operator=(const TempDir &) = delete;
    const std::string &path() const { return path_; }
    std::string file(const std::string &name) const { return path_ + "/" + name; }
private:
    std::string path_;
};

}  // namespace modlink::test
