#include "harness/scoring.hpp"

#include <algorithm>
#include <stdexcept>

namespace mh::harness {

namespace {

void count(Score& score, const CaseResult& result) {
    const int case_weight = weight(result.level);
    switch (result.outcome) {
        case Outcome::pass:
            ++score.passed;
            score.passed_weight += case_weight;
            score.applicable_weight += case_weight;
            break;
        case Outcome::fail:
            ++score.failed;
            score.applicable_weight += case_weight;
            break;
        case Outcome::waived:
            ++score.waived;
            score.applicable_weight += case_weight;
            break;
        case Outcome::skip:
            ++score.skipped;
            break;
        case Outcome::error:
            ++score.errored;
            break;
    }
}

bool covered(Level level, FailOn fail_on) {
    switch (fail_on) {
        case FailOn::must:
            return level == Level::must;
        case FailOn::should:
            return level != Level::may;
        case FailOn::any:
            return true;
    }
    return true;
}

bool any_covered_with(const RunResult& run, FailOn fail_on, Outcome outcome) {
    return std::any_of(run.cases.begin(), run.cases.end(), [&](const CaseResult& result) {
        return result.outcome == outcome && covered(result.level, fail_on);
    });
}

}  // namespace

double Score::ratio() const {
    if (applicable_weight == 0) {
        return 1.0;
    }
    return static_cast<double>(passed_weight) / static_cast<double>(applicable_weight);
}

Scores compute_scores(const RunResult& run) {
    Scores scores;
    for (const CaseResult& result : run.cases) {
        count(scores.overall, result);
        count(scores.per_spec[result.spec], result);
        count(scores.per_section[result.spec][result.ref], result);
    }
    return scores;
}

std::optional<FailOn> parse_fail_on(std::string_view text) {
    if (text == "must") {
        return FailOn::must;
    }
    if (text == "should") {
        return FailOn::should;
    }
    if (text == "any") {
        return FailOn::any;
    }
    return std::nullopt;
}

int run_exit_code(const RunResult& run, FailOn fail_on, std::optional<double> min_score) {
    // Written as a negated range check so that NaN is rejected too.
    if (min_score && !(*min_score >= 0.0 && *min_score <= 1.0)) {
        throw std::invalid_argument("min_score must be between 0 and 1 (a ratio: 0.9 for 90%)");
    }
    const Scores scores = compute_scores(run);
    const Score& overall = scores.overall;
    const bool any_verdict = overall.passed + overall.failed + overall.waived > 0;
    if (run.target_unreachable && !any_verdict) {
        return 3;
    }
    if (any_covered_with(run, fail_on, Outcome::error)) {
        return 1;
    }
    if (min_score) {
        return overall.ratio() < *min_score ? 1 : 0;
    }
    return any_covered_with(run, fail_on, Outcome::fail) ? 1 : 0;
}

}  // namespace mh::harness
