#pragma once
// What one bench session records, and what a run reports. Each io_context thread keeps its own
// Stats (no locking on the hot path); the run merges them at the end, and `bench merge` merges
// the JSON of several processes the same way (histograms add bucket by bucket).

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "harness/bench/histogram.hpp"

namespace mh::harness::bench {

struct Stats {
    std::uint64_t units = 0;         // measured messages (SMTP) or sessions/messages (POP3)
    std::uint64_t bytes = 0;         // message octets of the measured units
    std::uint64_t warmup_units = 0;  // completed during the warm-up, not in any figure
    Histogram latency;               // per unit
    std::map<std::string, Histogram> commands;  // per command: "MAIL", "RCPT", "DATA", "."...
    Histogram connect;                          // TCP connect
    Histogram tls_handshake;
    // Failures by class: "4xx", "5xx" (the reply class, RFC 5321 4.2.1 / RFC 1939 "-ERR"),
    // "transport" (refused, reset, closed), "protocol" (a reply that does not parse).
    std::map<std::string, std::uint64_t> errors;
    // The same failures by command and reply: "RCPT 452", "PASS -ERR", "connect transport".
    std::map<std::string, std::uint64_t> errors_by_command;

    void error(const std::string& command, const std::string& error_class,
               const std::string& detail);
    std::uint64_t error_count() const;
    void merge(const Stats& other);
};

// One second of the run, as sampled by the progress loop (for the throughput chart).
struct Sample {
    double t = 0;  // seconds since the start of the run (warm-up included)
    std::uint64_t units = 0;
    std::uint64_t bytes = 0;
    std::uint64_t errors = 0;
};

struct Report {
    std::string protocol;  // "smtp", "pop3", "scenario"
    std::string target;    // "127.0.0.1:2525"
    std::string unit;      // "message", "session", "case"
    std::int64_t start_unix_ms = 0;
    double warmup_seconds = 0;
    double measured_seconds = 0;  // the window the figures cover
    unsigned processes = 1;       // more after `bench merge`
    Stats stats;
    std::vector<Sample> timeline;

    double rate() const;             // units per second
    double megabytes_per_s() const;  // 10^6 bytes per second
};

// The bench JSON (docs/performance.md "The bench JSON"); `extra` (options, integrity) is copied
// in as it is.
nlohmann::json to_json(const Report& report, const nlohmann::json& extra);
// Throws std::invalid_argument naming the field (and the file, via the caller) on bad input.
Report report_from_json(const nlohmann::json& json);
// Several processes' reports of one simultaneous run: counts and histograms add, the window is
// the longest, the timelines line up on wall-clock seconds.
Report merge_reports(const std::vector<Report>& reports);

// "1.2 ms", "350 us": for the console summary.
std::string format_latency(std::uint64_t nanoseconds);

}  // namespace mh::harness::bench
