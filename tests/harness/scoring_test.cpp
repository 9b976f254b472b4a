#include "harness/scoring.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "report_test_runs.hpp"

namespace mh::harness {
namespace {

using testing::make_case;
using testing::mixed_run;

RunResult run_of(std::vector<CaseResult> cases) {
    RunResult run;
    run.cases = std::move(cases);
    return run;
}

TEST(Weights, MustShouldMayAre321) {
    EXPECT_EQ(weight(Level::must), 3);
    EXPECT_EQ(weight(Level::should), 2);
    EXPECT_EQ(weight(Level::may), 1);
}

TEST(Names, RoundTripThroughParse) {
    for (const Level level : {Level::must, Level::should, Level::may}) {
        EXPECT_EQ(parse_level(to_string(level)), level);
    }
    for (const Outcome outcome :
         {Outcome::pass, Outcome::fail, Outcome::skip, Outcome::waived, Outcome::error}) {
        EXPECT_EQ(parse_outcome(to_string(outcome)), outcome);
    }
    EXPECT_EQ(parse_level("must"), std::nullopt);  // exact spelling only
    EXPECT_EQ(parse_outcome("passed"), std::nullopt);
}

TEST(Scores, OverallCountsPassFailWaivedAsApplicable) {
    const Scores scores = compute_scores(mixed_run());
    EXPECT_EQ(scores.overall.passed_weight, 4);
    EXPECT_EQ(scores.overall.applicable_weight, 9);
    EXPECT_DOUBLE_EQ(scores.overall.ratio(), 4.0 / 9.0);
    EXPECT_EQ(scores.overall.passed, 2);
    EXPECT_EQ(scores.overall.failed, 1);
    EXPECT_EQ(scores.overall.waived, 1);
    EXPECT_EQ(scores.overall.skipped, 1);
    EXPECT_EQ(scores.overall.errored, 1);
}

TEST(Scores, PerSpec) {
    const Scores scores = compute_scores(mixed_run());
    ASSERT_EQ(scores.per_spec.size(), 2U);
    EXPECT_DOUBLE_EQ(scores.per_spec.at("RFC5321").ratio(), 4.0 / 9.0);
    const Score& tls = scores.per_spec.at("RFC3207");
    EXPECT_EQ(tls.applicable_weight, 0);  // a skip and an error: nothing applicable
    EXPECT_EQ(tls.ratio(), 1.0);
    EXPECT_EQ(tls.skipped, 1);
    EXPECT_EQ(tls.errored, 1);
}

TEST(Scores, PerSection) {
    const Scores scores = compute_scores(mixed_run());
    const auto& sections = scores.per_section.at("RFC5321");
    ASSERT_EQ(sections.size(), 3U);
    EXPECT_EQ(sections.at("4.1.1.1").passed_weight, 3);
    EXPECT_EQ(sections.at("4.1.1.1").applicable_weight, 6);
    EXPECT_DOUBLE_EQ(sections.at("4.1.1.1").ratio(), 0.5);
    EXPECT_EQ(sections.at("4.1.1.10").ratio(), 0.0);  // waived counts against the score
    EXPECT_EQ(sections.at("4.1.1.10").waived, 1);
    EXPECT_EQ(sections.at("3.3").ratio(), 1.0);
    EXPECT_EQ(scores.per_section.at("RFC3207").at("4.2").applicable_weight, 0);
}

TEST(Scores, EmptyRunScoresOne) {
    EXPECT_EQ(compute_scores(RunResult{}).overall.ratio(), 1.0);
}

TEST(FailOnNames, ParseTheFlagSpellings) {
    EXPECT_EQ(parse_fail_on("must"), FailOn::must);
    EXPECT_EQ(parse_fail_on("should"), FailOn::should);
    EXPECT_EQ(parse_fail_on("any"), FailOn::any);
    EXPECT_EQ(parse_fail_on("MUST"), std::nullopt);
}

// Exit codes of one-failure runs, per fail_on: {must, should, any}.
struct ExitCase {
    Level level;
    Outcome outcome;
    int must, should, any;
};

class ExitCodePerFailOn : public ::testing::TestWithParam<ExitCase> {};

TEST_P(ExitCodePerFailOn, CountsOnlyTheCoveredLevels) {
    const ExitCase& param = GetParam();
    const RunResult run = run_of({
        make_case("s", "ok", "RFC5321", "4.1", Level::must, Outcome::pass),
        make_case("s", "x", "RFC5321", "4.2", param.level, param.outcome),
    });
    EXPECT_EQ(run_exit_code(run, FailOn::must, std::nullopt), param.must);
    EXPECT_EQ(run_exit_code(run, FailOn::should, std::nullopt), param.should);
    EXPECT_EQ(run_exit_code(run, FailOn::any, std::nullopt), param.any);
}

INSTANTIATE_TEST_SUITE_P(Outcomes, ExitCodePerFailOn,
                         ::testing::Values(ExitCase{Level::must, Outcome::pass, 0, 0, 0},
                                           ExitCase{Level::must, Outcome::fail, 1, 1, 1},
                                           ExitCase{Level::should, Outcome::fail, 0, 1, 1},
                                           ExitCase{Level::may, Outcome::fail, 0, 0, 1},
                                           ExitCase{Level::must, Outcome::waived, 0, 0, 0},
                                           ExitCase{Level::must, Outcome::skip, 0, 0, 0},
                                           ExitCase{Level::must, Outcome::error, 1, 1, 1},
                                           ExitCase{Level::should, Outcome::error, 0, 1, 1},
                                           ExitCase{Level::may, Outcome::error, 0, 0, 1}));

TEST(ExitCode, MinScoreDecidesOverFailVerdicts) {
    // Score 3 / 5 = 0.6 with a MUST pass and a SHOULD fail.
    const RunResult run = run_of({
        make_case("s", "1", "RFC5321", "4.1", Level::must, Outcome::pass),
        make_case("s", "2", "RFC5321", "4.2", Level::should, Outcome::fail),
    });
    EXPECT_EQ(run_exit_code(run, FailOn::any, 0.6), 0);    // reached: the failure is tolerated
    EXPECT_EQ(run_exit_code(run, FailOn::any, 0.61), 1);   // below
    EXPECT_EQ(run_exit_code(run, FailOn::must, 0.61), 1);  // below, even with no MUST failure
    EXPECT_EQ(run_exit_code(run, FailOn::must, 0.0), 0);
}

TEST(ExitCode, CoveredErrorsFailEvenWhenTheScoreIsReached) {
    const RunResult run = mixed_run();  // 4 / 9, SHOULD error b/6
    EXPECT_EQ(run_exit_code(run, FailOn::must, 0.4), 0);
    EXPECT_EQ(run_exit_code(run, FailOn::must, 0.5), 1);
    EXPECT_EQ(run_exit_code(run, FailOn::should, 0.4), 1);
}

TEST(ExitCode, BadMinScoreIsRejected) {
    EXPECT_THROW(run_exit_code(mixed_run(), FailOn::must, 1.5), std::invalid_argument);
    EXPECT_THROW(run_exit_code(mixed_run(), FailOn::must, -0.1), std::invalid_argument);
    EXPECT_THROW(run_exit_code(mixed_run(), FailOn::must, std::nan("")), std::invalid_argument);
}

TEST(ExitCode, UnreachableTargetGivesThree) {
    RunResult run = run_of({
        make_case("s", "1", "RFC5321", "4.1", Level::must, Outcome::error),
        make_case("s", "2", "RFC5321", "4.2", Level::may, Outcome::error),
    });
    EXPECT_EQ(run_exit_code(run, FailOn::must, std::nullopt), 1);  // errors, target reached
    run.target_unreachable = true;
    EXPECT_EQ(run_exit_code(run, FailOn::must, std::nullopt), 3);
    EXPECT_EQ(run_exit_code(run, FailOn::any, 0.0), 3);
}

TEST(ExitCode, UnreachableFlagWithVerdictsIsAComplianceQuestion) {
    RunResult run = run_of({
        make_case("s", "1", "RFC5321", "4.1", Level::must, Outcome::pass),
        make_case("s", "2", "RFC5321", "4.2", Level::may, Outcome::error),
    });
    run.target_unreachable = true;
    EXPECT_EQ(run_exit_code(run, FailOn::must, std::nullopt), 0);
    EXPECT_EQ(run_exit_code(run, FailOn::any, std::nullopt), 1);
}

TEST(ExitCode, EmptyOrAllSkippedRunPasses) {
    EXPECT_EQ(run_exit_code(RunResult{}, FailOn::any, std::nullopt), 0);
    const RunResult skipped = run_of({
        make_case("s", "1", "RFC5321", "4.1", Level::must, Outcome::skip),
    });
    EXPECT_EQ(run_exit_code(skipped, FailOn::any, 1.0), 0);
}

}  // namespace
}  // namespace mh::harness
