#pragma once
// Runs a load: one io_context per thread (one thread per core by default), the sessions spread
// over them, each taking tickets from one Pacer until the run is over. Samples throughput every
// second (the timeline, and the live progress line on a terminal) and stops sessions that make
// no progress for `idle_timeout`.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>

#include "harness/bench/pacing.hpp"
#include "harness/bench/stats.hpp"

namespace mh::harness::bench {

// What a finished unit adds to the live counters, read by the sampling thread.
struct alignas(64) LiveCounters {
    std::atomic<std::uint64_t> units{0};
    std::atomic<std::uint64_t> bytes{0};
    std::atomic<std::uint64_t> errors{0};
};

// Everything one session works with; the Stats and counters belong to its thread.
struct SessionEnv {
    boost::asio::any_io_executor executor;
    Pacer& pacer;
    Stats& stats;
    LiveCounters& live;
    unsigned index;  // 0 .. concurrency-1

    // Records a finished unit (measured unless its ticket is a warm-up one).
    void unit_done(const Ticket& ticket, Clock::time_point started, std::uint64_t bytes);
    // Records a failure (counted as an error when outside the warm-up).
    void failed(const Ticket& ticket, const std::string& command, const std::string& error_class,
                const std::string& detail);
    // Open loop: waits until the ticket's intended time.
    boost::asio::awaitable<void> wait_for(const Ticket& ticket);
};

// io threads when --threads is not given: one per core, but half of them (at least one) when
// the target runs on this machine and needs the rest: against smtp-sink on 2 cores a second
// generator thread only competed with the sink (docs/performance.md).
unsigned default_threads(bool target_is_local);

struct EngineOptions {
    unsigned concurrency = 1;
    unsigned threads = 0;  // 0: default_threads(false); at most `concurrency` in any case
    PacingOptions pacing;
    std::chrono::milliseconds idle_timeout{30'000};
    std::FILE* progress = nullptr;  // a terminal: the live line is redrawn there every second
};

using SessionBody = std::function<boost::asio::awaitable<void>(SessionEnv&)>;

// Runs `concurrency` sessions of `body`; fills the figures of `report` (protocol, target and
// unit are the caller's).
void run_load(const EngineOptions& options, const SessionBody& body, Report& report);

}  // namespace mh::harness::bench
