#pragma once
// Lets one job of a campaign have the target to itself. Jobs hold the gate shared while they
// play a conversation; a job that confirms a finding takes it alone: new conversations wait and
// the ones under way finish first. With several jobs a crash one conversation causes also
// resets the others' connections, so a finding is only judged while nothing else talks to the
// target. Unlike std::shared_mutex (glibc prefers readers), a waiting exclusive holder is never
// starved by jobs that keep re-entering.

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

// RAII holders for the two ways in.
class Shared {
  public:
    explicit Shared(Gate& gate) : gate_(gate) { gate_.enter(); }
    ~Shared() { gate_.leave(); }
    Shared(const Shared&) = delete;
    Shared& operator=(const Shared&) = delete;

  private:
    Gate& gate_;
};

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
