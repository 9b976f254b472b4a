#pragma once
// Compares two runs of the same suites (two servers, or two versions of one server): every case
// whose outcome or sequence of reply classes differs, or that only one run has.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "harness/result.hpp"

namespace mh::harness::diff {

// The class of every reply the server sent in a case, in order. SMTP: the first digit of each
// reply's last line ("2".."5", RFC 5321 4.2.1); continuation lines ("250-") are not counted.
// POP3 (a case whose server lines include +OK or -ERR): "+" or "-" per status line (RFC 1939 3),
// so message lines of a multi-line response are not taken for replies. A reply on a named
// connection is prefixed with its name ("second:2").
std::vector<std::string> reply_classes(const CaseResult& result);

enum class Difference {
    outcome,        // pass in one run, fail in the other...
    reply_classes,  // same outcome, but the server answered with other reply classes
    only_in_a,
    only_in_b,
};
const char* to_string(Difference difference);  // "outcome", "reply classes", "only in A"...

struct CaseDiff {
    std::string full_id;
    Difference difference = Difference::outcome;
    std::optional<CaseResult> a, b;  // absent on the side that did not run it
};

struct RunDiff {
    std::size_t compared = 0;     // cases both runs have
    std::vector<CaseDiff> cases;  // in A's order, then the cases only B has
};

RunDiff diff_runs(const RunResult& a, const RunResult& b);

}  // namespace mh::harness::diff
