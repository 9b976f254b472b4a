#pragma once
// Runs tests/support/broken_server.py (with Debian's /usr/bin/python3) for the life of a test
// object: reads the "PORT PID" line it prints, and stops it with SIGTERM at the end.
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdint>
#include <cstdio>
#include <string>

namespace mh::test {

class BrokenServer {
  public:
    // `options`: e.g. "--mute" (see the script's doc string).
    BrokenServer(const std::string& script, const std::string& options = "") {
        const std::string command = "exec /usr/bin/python3 " + script + " " + options;
        pipe_ = ::popen(command.c_str(), "r");
        if (pipe_ == nullptr || std::fscanf(pipe_, "%hu %d", &port_, &pid_) != 2) {
            ADD_FAILURE() << "cannot start " << script << " with /usr/bin/python3";
        }
    }
    ~BrokenServer() {
        if (pid_ > 0) {
            ::kill(pid_, SIGTERM);
        }
        if (pipe_ != nullptr) {
            ::pclose(pipe_);
        }
    }
    BrokenServer(const BrokenServer&) = delete;
    BrokenServer& operator=(const BrokenServer&) = delete;

    std::uint16_t port() const { return port_; }

  private:
    std::FILE* pipe_ = nullptr;
    std::uint16_t port_ = 0;
    int pid_ = 0;
};

}  // namespace mh::test
