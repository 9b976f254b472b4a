#pragma once
// Runs a command line through the shell, standard error folded into standard output: what the
// tests of the mailharness executable need to check its exit code and messages.
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace mh::test {

struct CommandOutcome {
    int exit_code = -1;  // -1: the command did not exit normally (or could not start)
    std::string output;  // stdout and stderr
};

inline CommandOutcome run_shell(const std::string& command_line) {
    CommandOutcome outcome;
    std::FILE* pipe = ::popen((command_line + " 2>&1").c_str(), "r");
    if (pipe == nullptr) {
        outcome.output = "cannot run " + command_line;
        return outcome;
    }
    // fread, not fgets: the output may hold NUL bytes (a peer's reply echoed in a report).
    std::array<char, 4096> buffer{};
    std::size_t got = 0;
    while ((got = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
        outcome.output.append(buffer.data(), got);
    }
    const int status = ::pclose(pipe);
    outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return outcome;
}

}  // namespace mh::test
