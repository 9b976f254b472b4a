#pragma once
// Lets one job of a campaign have the target to itself. Jobs hold the gate shared while they
// have conversations under way; a job that confirms a finding takes it alone: the others start
// no new conversation (alone_wanted), let the ones under way finish, and leave. A crash one
// conversation causes also resets the others' connections, so a finding is only judged while
// nothing else talks to the target. Unlike std::shared_mutex (glibc prefers readers), a waiting
// exclusive holder is never starved by jobs that keep re-entering.

#include <condition_variable>
#include <cstddef>
#include <mutex>

namespace mh::harness::fuzz {

class Gate {
  public:
    void enter() {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [this] { return !exclusive_; });
        ++active_;
    }
    void leave() {
        {
            const std::lock_guard lock(mutex_);
            --active_;
        }
        changed_.notify_all();
    }
    // A job waits to be alone: start no new conversation.
    bool alone_wanted() {
        const std::lock_guard lock(mutex_);
        return exclusive_;
    }
    // The caller must not be inside the gate itself.
    void enter_alone() {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [this] { return !exclusive_; });
        exclusive_ = true;
        changed_.wait(lock, [this] { return active_ == 0; });
    }
    void leave_alone() {
        {
            const std::lock_guard lock(mutex_);
            exclusive_ = false;
        }
        changed_.notify_all();
    }

  private:
    std::mutex mutex_;
    std::condition_variable changed_;
    std::size_t active_ = 0;
    bool exclusive_ = false;
};

// Holds the gate alone for a scope.
class Alone {
  public:
    explicit Alone(Gate& gate) : gate_(gate) { gate_.enter_alone(); }
    ~Alone() { gate_.leave_alone(); }
    Alone(const Alone&) = delete;
    Alone& operator=(const Alone&) = delete;

  private:
    Gate& gate_;
};

}  // namespace mh::harness::fuzz
