#pragma once
// Ctrl-C (SIGINT) and SIGTERM for a command that stops cleanly. While an Interrupt lives, the
// two signals are blocked in this thread and in every thread started after it, and a watcher
// thread turns the first one into a stop request (std::stop_token) with a note on stderr; a
// second one ends the process at once with status 128 + signal.

#include <atomic>
#include <csignal>
#include <stop_token>
#include <string>
#include <thread>

namespace mh::cli {

class Interrupt {
  public:
    // `on_stop`: what the first signal does, for the note ("stopping the running cases").
    explicit Interrupt(std::string on_stop);
    ~Interrupt();
    Interrupt(const Interrupt&) = delete;
    Interrupt& operator=(const Interrupt&) = delete;

    std::stop_token token() const { return stop_.get_token(); }
    // The first signal that arrived, or 0.
    int signal() const { return signal_; }
    // The conventional exit status of a process stopped by signal(): 128 + its number.
    int exit_code() const { return 128 + signal_; }

  private:
    void watch();

    std::string on_stop_;
    sigset_t signals_{};
    sigset_t old_mask_{};
    std::stop_source stop_;
    std::atomic<int> signal_{0};
    std::atomic<bool> finished_{false};
    std::thread watcher_;
};

}  // namespace mh::cli
