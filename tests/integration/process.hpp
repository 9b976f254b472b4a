#pragma once
// Runs a real client program and captures what it printed (stdout and stderr together).

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace mh::integration {

struct ProcessResult {
    int exit_code = -1;
    std::string output;
};

inline std::string shell_quote(const std::string& word) {
    std::string out = "'";
    for (char c : word) {
        out += (c == '\'') ? std::string("'\\''") : std::string(1, c);
    }
    return out + "'";
}

inline ProcessResult run_process(const std::vector<std::string>& argv) {
    std::string command;
    for (const auto& word : argv) {
        command += shell_quote(word) + " ";
    }
    command += "2>&1 </dev/null";
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) {
        throw std::runtime_error("cannot run " + command);
    }
    ProcessResult result;
    char buffer[4096];
    std::size_t n = 0;
    while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) {
        result.output.append(buffer, n);
    }
    const int status = pclose(pipe);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

// The tests need these programs; a missing one is a failure that says how to get it.
inline std::string require_program(const std::string& path) {
    if (!std::filesystem::exists(path)) {
        throw std::runtime_error(path + " is missing: run ci/install-deps");
    }
    return path;
}

}  // namespace mh::integration
