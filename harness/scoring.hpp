#pragma once
// Compliance scoring (docs/scenario-format.md "Results and score"):
// score = sum(weight of passed) / sum(weight of applicable), MUST 3, SHOULD 2, MAY 1.
// Applicable = pass + fail + waived (skip and error are not); reported overall, per spec and
// per section.

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "harness/result.hpp"

namespace mh::harness {

struct Score {
    int passed_weight = 0;
    int applicable_weight = 0;
    int passed = 0, failed = 0, skipped = 0, waived = 0, errored = 0;  // case counts
    double ratio() const;  // 1.0 when nothing is applicable
};

struct Scores {
    Score overall;
    std::map<std::string, Score> per_spec;                            // "RFC5321"
    std::map<std::string, std::map<std::string, Score>> per_section;  // spec -> ref -> score
};

Scores compute_scores(const RunResult& run);

enum class FailOn { must, should, any };
// "must", "should", "any" (the --fail-on spellings); nullopt for anything else.
std::optional<FailOn> parse_fail_on(std::string_view text);

// Exit code of a run per the design page: 0 all applicable cases passed (or the score reached
// min_score), 1 compliance failures (counted per fail_on), 3 when every case errored because
// the target could not be reached. (2, bad usage or files, is decided before a run.)
// The precise rule, in order (docs/report-schema.md "Exit code"):
//   3  run.target_unreachable and no case reached a verdict (pass, fail or waived);
//   1  a case at a level fail_on covers (must: MUST; should: MUST, SHOULD; any: all) ended
//      `error`: the harness could not check it, so the run cannot claim compliance;
//   1  min_score given: the overall ratio is below it (fail_on then ignores `fail` verdicts);
//      no min_score: a case at a level fail_on covers ended `fail`;
//   0  otherwise. `waived` and `skip` never fail a run.
// Throws std::invalid_argument when min_score is outside [0, 1].
int run_exit_code(const RunResult& run, FailOn fail_on, std::optional<double> min_score);

}  // namespace mh::harness
