#include "harness/bench/pacing.hpp"

namespace mh::harness::bench {

Pacer::Pacer(PacingOptions options, Clock::time_point start) : options_(options), start_(start) {}

Clock::time_point Pacer::intended(std::uint64_t sequence) const {
    const double seconds = static_cast<double>(sequence) / *options_.rate;
    return start_ +
           std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

std::optional<Ticket> Pacer::next(Clock::time_point now) {
    if (stopped_.load(std::memory_order_relaxed))
        return std::nullopt;
    const std::uint64_t sequence = issued_.fetch_add(1, std::memory_order_relaxed);
    Ticket ticket{sequence, false, open_loop() ? intended(sequence) : now};
    // Open loop decides by the intended time, so the schedule (not session speed) sets the
    // boundaries; closed loop by the time of issue.
    const Clock::time_point at = ticket.intended;
    if (at < measure_start()) {
        ticket.warmup = true;
        return ticket;
    }
    if (options_.duration && at >= measure_start() + *options_.duration)
        return std::nullopt;
    if (options_.units && measured_.fetch_add(1, std::memory_order_relaxed) >= *options_.units)
        return std::nullopt;
    return ticket;
}

}  // namespace mh::harness::bench
