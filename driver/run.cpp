// Stage 4: running the plan.  Each command is a child process; a signal
// that stops modlink-cc (SIGINT, SIGTERM, SIGHUP) is passed to the running
// child, and once it is gone modlink-cc removes its temporary directory and
// dies of the same signal.  gcc and the linker delete their own partial
// outputs; the stub step writes through temporary files.
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "driver.hpp"

namespace modlink::driver {

namespace {

volatile sig_atomic_t running_child = 0;
volatile sig_atomic_t stop_signal = 0;

void forward_signal(int sig)
{
    stop_signal = sig;
    if (running_child > 0)
        kill(running_child, sig);
}

const int kStopSignals[] = {SIGINT, SIGTERM, SIGHUP};

void catch_stop_signals()
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = forward_signal;
    sigemptyset(&sa.sa_mask);
    for (int sig : kStopSignals)
        sigaction(sig, &sa, nullptr);
}

// The child's status as gcc reports a child's: 0, the exit status, or a
// message and 1 (killed from outside) or 4 (crashed, gcc's ICE status).
int report_status(int status, const std::string &program, const std::string &self)
{
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    int sig = WTERMSIG(status);
    if (sig == SIGINT || sig == SIGTERM || sig == SIGQUIT || sig == SIGKILL || sig == SIGHUP) {
        fprintf(stderr, "%s: fatal error: %s signal terminated program %s\ncompilation terminated.\n",
                self.c_str(), strsignal(sig), program.c_str());
        return 1;
    }
    fprintf(stderr, "%s: internal compiler error: %s signal terminated program %s\n", self.c_str(),
            strsignal(sig), program.c_str());
    return 4;
}

int run_command(const Command &command, bool verbose, const std::string &self)
{
    if (verbose)
        fprintf(stderr, "%s\n", quote_command(command.argv).c_str());
    fflush(stderr);
    std::vector<char *> argv;
    for (const std::string &a : command.argv)
        argv.push_back(const_cast<char *>(a.c_str()));
    argv.push_back(nullptr);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "%s: fatal error: cannot fork: %s\n", self.c_str(), strerror(errno));
        return 1;
    }
    if (pid == 0) {
        execvp(argv[0], argv.data());
        fprintf(stderr, "%s: fatal error: cannot execute '%s': execvp: %s\ncompilation terminated.\n",
                self.c_str(), argv[0], strerror(errno));
        _exit(127);
    }
    running_child = pid;
    if (stop_signal)  // it came before the child existed
        kill(pid, stop_signal);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    running_child = 0;
    if (stop_signal)
        return -1;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
        return 1;
    const std::string &program = command.argv[0];
    return report_status(status, program.substr(program.rfind('/') + 1), self);
}

// What a failed or interrupted command may have half-written, as gcc
// removes it: a regular file only (never -o /dev/null).
void remove_output(const std::string &output)
{
    struct stat st;
    if (!output.empty() && output != "-" && stat(output.c_str(), &st) == 0 && S_ISREG(st.st_mode))
        unlink(output.c_str());
}

}  // namespace

int run_plan(const Plan &plan, bool verbose)
{
    catch_stop_signals();
    int status = 0;
    for (size_t i = 0; i < plan.commands.size(); i++) {
        status = run_command(plan.commands[i], verbose, plan.program);
        if (status != 0 || stop_signal) {
            if (i + 1 == plan.commands.size())
                remove_output(plan.output);
            break;
        }
    }
    if (!plan.temp_dir.empty()) {
        std::error_code ignored;
        std::filesystem::remove_all(plan.temp_dir, ignored);
    }
    if (stop_signal) {
        signal(stop_signal, SIG_DFL);
        raise(stop_signal);
    }
    return status;
}

}  // namespace modlink::driver
