#pragma once
// Runs a real client program and captures what it printed (stdout and stderr together).

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/shell_command.hpp"

namespace mh::integration {

using ProcessResult = mh::test::CommandOutcome;

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
    return mh::test::run_shell(command + "</dev/null");
}

// The tests need these programs; a missing one is a failure that says how to get it.
inline std::string require_program(const std::string& path) {
    if (!std::filesystem::exists(path)) {
        throw std::runtime_error(path + " is missing: run ci/install-deps");
    }
    return path;
}

// A program left running (a server): stdout and stderr go to files the test can poll.
class BackgroundProcess {
  public:
    BackgroundProcess(const std::vector<std::string>& argv, const std::filesystem::path& out,
                      const std::filesystem::path& err)
        : out_(out), err_(err) {
        pid_ = fork();
        if (pid_ < 0) {
            throw std::runtime_error("fork failed");
        }
        if (pid_ == 0) {
            if (!freopen(out.c_str(), "w", stdout) || !freopen(err.c_str(), "w", stderr)) {
                _exit(127);
            }
            std::vector<char*> args;
            for (const auto& arg : argv) {
                args.push_back(const_cast<char*>(arg.c_str()));
            }
            args.push_back(nullptr);
            execv(args[0], args.data());
            _exit(127);
        }
    }
    ~BackgroundProcess() {
        if (pid_ > 0) {
            kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
        }
    }
    BackgroundProcess(const BackgroundProcess&) = delete;
    BackgroundProcess& operator=(const BackgroundProcess&) = delete;

    // Waits until stdout contains `text`; false after `timeout` or when the program exited.
    bool wait_for_output(const std::string& text, std::chrono::milliseconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            if (stdout_text().find(text) != std::string::npos) {
                return true;
            }
            if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
                pid_ = -1;
                return stdout_text().find(text) != std::string::npos;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return false;
    }
    // Sends `signal` and returns the exit code (-1 when killed by a signal or a timeout).
    int stop(int signal, std::chrono::milliseconds timeout) {
        kill(pid_, signal);
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        int status = 0;
        while (std::chrono::steady_clock::now() < deadline) {
            if (waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return -1;
    }
    std::string stdout_text() const { return slurp(out_); }
    std::string stderr_text() const { return slurp(err_); }

  private:
    static std::string slurp(const std::filesystem::path& path) {
        std::ifstream in(path, std::ios::binary);
        std::ostringstream text;
        text << in.rdbuf();
        return text.str();
    }

    pid_t pid_ = -1;
    std::filesystem::path out_;
    std::filesystem::path err_;
};

}  // namespace mh::integration
