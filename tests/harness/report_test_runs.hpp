#pragma once
// Hand-made run results shared by the scoring and report tests.

#include <ostream>
#include <string>
#include <utility>

#include "harness/bench/stats.hpp"
#include "harness/report/reports.hpp"
#include "harness/result.hpp"

namespace mh::harness {

// GoogleTest prints a mismatching run as its JSON, instead of raw bytes.
inline void PrintTo(const RunResult& run, std::ostream* out) {
    *out << report::render_json(run);
}

}  // namespace mh::harness

namespace mh::harness::testing {

inline CaseResult make_case(std::string suite, std::string id, std::string spec, std::string ref,
                            Level level, Outcome outcome) {
    CaseResult result;
    result.suite = std::move(suite);
    result.id = std::move(id);
    result.title = "case " + result.id;
    result.spec = std::move(spec);
    result.ref = std::move(ref);
    result.level = level;
    result.outcome = outcome;
    result.duration_ms = 12;
    return result;
}

inline TranscriptLine line(TranscriptLine::Direction direction, std::string text,
                           double at_ms = 0) {
    TranscriptLine result;
    result.direction = direction;
    result.text = std::move(text);
    result.at_ms = at_ms;
    return result;
}

// Weights: passed 3 (a/1) + 1 (b/4) = 4 of applicable 3 + 3 + 2 + 1 = 9; RFC3207 has only a
// skip and an error, so nothing applicable.
//   RFC5321 4.1.1.1:  a/1 MUST pass, a/2 MUST fail  -> 3/6
//   RFC5321 4.1.1.10: a/3 SHOULD waived             -> 0/2
//   RFC5321 3.3:      b/4 MAY pass                  -> 1/1
//   RFC3207 4.2:      b/5 MUST skip, b/6 SHOULD error
inline RunResult mixed_run() {
    using enum Level;
    using enum Outcome;
    RunResult run;
    run.tool_version = "0.1.0";
    run.started_at = "2026-11-26T17:02:10Z";
    run.duration_ms = 1234.5;
    run.target.name = "postfix-local";
    run.target.smtp = "127.0.0.1:2525 (starttls)";
    run.target.smtp_capabilities = {"PIPELINING", "SIZE 10240000", "STARTTLS", "8BITMIME"};
    run.target.pop3_capabilities = {"USER", "UIDL"};
    run.cases = {
        make_case("a", "1", "RFC5321", "4.1.1.1", must, pass),
        make_case("a", "2", "RFC5321", "4.1.1.1", must, fail),
        make_case("a", "3", "RFC5321", "4.1.1.10", should, waived),
        make_case("b", "4", "RFC5321", "3.3", may, pass),
        make_case("b", "5", "RFC3207", "4.2", must, skip),
        make_case("b", "6", "RFC3207", "4.2", should, error),
    };
    CaseResult& failed = run.cases[1];
    failed.message = "wrong reply code";
    failed.expected = "221";
    failed.actual = "250 2.0.0 ok";
    failed.failed_step = 3;
    failed.transcript = {
        line(TranscriptLine::Direction::server, "220 mx.example.test ESMTP", 1.5),
        line(TranscriptLine::Direction::client, "QUIT", 2.25),
        line(TranscriptLine::Direction::server, "250 2.0.0 ok", 3.0),
        line(TranscriptLine::Direction::note, "expected 221", 3.0),
    };
    run.cases[2].waiver_reason = "QUIT answer is known to be odd";
    run.cases[4].message = "requires STARTTLS, not advertised";
    run.cases[5].message = "TLS handshake failed: wrong version number";
    run.unused_waivers = {"smtp-vrfy/*"};
    return run;
}

// A second target for matrices: a/2 passes, a/3 fails (SHOULD), b/4 is missing, c/7 is new.
inline RunResult other_run() {
    RunResult run = mixed_run();
    run.target.name = "reference";
    run.cases[1].outcome = Outcome::pass;
    run.cases[1].message.clear();
    run.cases[1].expected.clear();
    run.cases[1].actual.clear();
    run.cases[1].failed_step.reset();
    run.cases[2].outcome = Outcome::fail;
    run.cases[2].message = "wrong reply code";
    run.cases.erase(run.cases.begin() + 3);
    run.cases.push_back(make_case("c", "7", "RFC1939", "5", Level::must, Outcome::pass));
    return run;
}

// A bench run of 4 seconds (1 of warm-up): 100 messages a second, two errors in second 3;
// latencies 1..100 ms, so p50 is about 50 ms.
inline bench::Report bench_report() {
    bench::Report report;
    report.protocol = "smtp";
    report.target = "127.0.0.1:2525";
    report.unit = "message";
    report.start_unix_ms = 1'764'000'000'000;
    report.warmup_seconds = 1;
    report.measured_seconds = 3;
    report.stats.units = 300;
    report.stats.bytes = 300 * 1000;
    for (std::uint64_t ms = 1; ms <= 100; ++ms) {
        report.stats.latency.record(ms * 1'000'000, 3);
        report.stats.commands["DATA"].record(ms * 500'000, 3);
    }
    report.stats.error("RCPT", "4xx", "452");
    report.stats.error("RCPT", "4xx", "452");
    for (int second = 1; second <= 4; ++second) {
        report.timeline.push_back(
            {static_cast<double>(second), 100, 100'000, second == 3 ? 2U : 0U});
    }
    return report;
}

}  // namespace mh::harness::testing
