#pragma once
// How a stopping server reaches its sessions. Each session owns a StopSignal on its strand;
// the server raises every signal in the registry: `drain` (an idle session says 421 and
// closes, a busy one may finish) and then `now` (every session closes). Raising calls the
// session's waker on its strand, which wakes a read that is waiting for the client
// (Transport::read_some returns operation_aborted).

#include <boost/asio/any_io_executor.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_set>
#include <utility>

namespace mh::reference {

enum class StopLevel { running, drain, now };

class StopSignal : public std::enable_shared_from_this<StopSignal> {
  public:
    explicit StopSignal(const boost::asio::any_io_executor& strand);
    // From any thread.
    void raise(StopLevel level);
    StopLevel level() const { return level_.load(); }
    // Called on the strand after each raise(); set and cleared on the strand (an empty
    // function before the waker's owner goes).
    void on_raise(std::function<void()> waker) { waker_ = std::move(waker); }

  private:
    std::atomic<StopLevel> level_{StopLevel::running};
    boost::asio::any_io_executor strand_;
    std::function<void()> waker_;
};

class StopRegistry {
  public:
    // Keeps `signal` registered while the returned handle lives; a signal registered after a
    // raise starts at that level.
    class Enrollment {
      public:
        Enrollment(StopRegistry& registry, std::shared_ptr<StopSignal> signal);
        ~Enrollment();
        Enrollment(const Enrollment&) = delete;
        Enrollment& operator=(const Enrollment&) = delete;

      private:
        StopRegistry& registry_;
        std::shared_ptr<StopSignal> signal_;
    };

    void raise_all(StopLevel level);

  private:
    std::mutex mutex_;
    StopLevel level_ = StopLevel::running;
    std::unordered_set<std::shared_ptr<StopSignal>> signals_;
};

}  // namespace mh::reference
