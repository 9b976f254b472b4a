#pragma once
// Hand-made run results shared by the scoring and report tests.

#include <ostream>
#include <string>
#include <utility>

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

}  // namespace mh::harness::testing
