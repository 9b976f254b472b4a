#pragma once
// Who may send the next message, and when. Every session of a run takes tickets from one Pacer
// (shared across threads): a ticket says whether it falls in the warm-up (excluded from the
// figures) and, in open loop, the intended send time of that message. Latencies of an open-loop
// run are measured from the intended time, not from when a session got round to sending: a
// stalled server then shows up as the queue it causes (coordinated-omission correction), rather
// than as one slow message among many that were silently never sent.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>

namespace mh::harness::bench {

using Clock = std::chrono::steady_clock;

struct PacingOptions {
    std::optional<std::uint64_t> units;                // stop after this many measured units
    std::optional<std::chrono::nanoseconds> duration;  // or after this long (after warm-up)
    std::chrono::nanoseconds warmup{0};                // units started earlier are not measured
    std::optional<double> rate;                        // open loop: units per second
};

struct Ticket {
    std::uint64_t sequence = 0;  // 0, 1, 2... over the whole run, warm-up included
    bool warmup = false;
    // Open loop: when this unit should start (wait until then); closed loop: when it was issued.
    Clock::time_point intended;
};

class Pacer {
  public:
    Pacer(PacingOptions options, Clock::time_point start);

    // The next ticket, or nullopt when the run is over (count reached or time up). Thread-safe.
    std::optional<Ticket> next(Clock::time_point now);

    Clock::time_point start() const { return start_; }
    Clock::time_point measure_start() const { return start_ + options_.warmup; }
    bool open_loop() const { return options_.rate.has_value(); }
    // The intended time of the ticket with this sequence number (open loop only).
    Clock::time_point intended(std::uint64_t sequence) const;

    // Ends the run early (interrupt, idle timeout): next() returns nullopt from now on.
    void stop() { stopped_.store(true, std::memory_order_relaxed); }

  private:
    PacingOptions options_;
    Clock::time_point start_;
    std::atomic<std::uint64_t> issued_{0};
    std::atomic<std::uint64_t> measured_{0};
    std::atomic<bool> stopped_{false};
};

// Latency of a unit that completed at `done`: from its intended start in open loop (so time
// spent waiting behind a stall counts), from when it actually started in closed loop.
// In nanoseconds, as the histograms record it.
inline std::uint64_t unit_latency(const Ticket& ticket, Clock::time_point started,
                                  Clock::time_point done, bool open_loop) {
    const auto from = open_loop ? ticket.intended : started;
    return done > from
               ? static_cast<std::uint64_t>(
                     std::chrono::duration_cast<std::chrono::nanoseconds>(done - from).count())
               : 0;
}

}  // namespace mh::harness::bench
