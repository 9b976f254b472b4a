#pragma once
// The delay before the reply to a failed AUTH / PASS / APOP, growing with the failures seen
// from the same client address: base, 2*base, 4*base... up to a maximum. The delay is applied
// by the connection loop with a timer, so it slows the guesser and nobody else. Memory is
// bounded: at most max_addresses entries, expired ones dropped first.

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace mh::reference {

class AuthThrottle {
  public:
    using Clock = std::chrono::steady_clock;

    AuthThrottle(std::chrono::milliseconds base, std::chrono::milliseconds max,
                 std::chrono::seconds forget_after, std::size_t max_addresses = 65536);

    // Records a failure from `address`; returns how long its reply should wait.
    std::chrono::milliseconds failed(const std::string& address,
                                     Clock::time_point now = Clock::now());
    std::size_t tracked() const;

  private:
    struct Entry {
        unsigned failures = 0;
        Clock::time_point last;
    };
    void make_room(Clock::time_point now);

    const std::chrono::milliseconds base_;
    const std::chrono::milliseconds max_;
    const std::chrono::seconds forget_after_;
    const std::size_t max_addresses_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, Entry> entries_;
};

}  // namespace mh::reference
