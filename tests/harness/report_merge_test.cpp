#include <gtest/gtest.h>

#include <stdexcept>

#include "harness/report/reports.hpp"
#include "harness/scoring.hpp"
#include "report_test_runs.hpp"

namespace mh::harness::report {
namespace {

using testing::mixed_run;

// Shard `index` of `count` of mixed_run(): cases i with i % count == index - 1.
RunResult shard_of(int index, int count) {
    RunResult run = mixed_run();
    std::vector<CaseResult> kept;
    for (std::size_t i = 0; i < run.cases.size(); ++i) {
        if (static_cast<int>(i % static_cast<std::size_t>(count)) == index - 1) {
            kept.push_back(run.cases[i]);
        }
    }
    run.cases = kept;
    run.partial = true;
    run.shard = std::to_string(index) + "/" + std::to_string(count);
    run.started_at = "2026-11-26T17:0" + std::to_string(index) + ":00Z";
    run.duration_ms = 100.0 * index;
    return run;
}

std::string merge_error(const std::vector<RunResult>& parts,
                        const std::vector<std::string>& names) {
    try {
        merge(parts, names);
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "(merged without error)";
}

TEST(Merge, AllShardsMakeTheWholeRun) {
    // Given in reverse order: the merged cases are sorted by full id all the same.
    const RunResult merged = merge({shard_of(3, 3), shard_of(2, 3), shard_of(1, 3)});
    RunResult whole = mixed_run();
    whole.started_at = "2026-11-26T17:01:00Z";  // the earliest part
    whole.duration_ms = 300;                    // the longest part
    EXPECT_EQ(merged, whole);
    EXPECT_FALSE(merged.partial);
    EXPECT_EQ(merged.shard, "");
    EXPECT_DOUBLE_EQ(compute_scores(merged).overall.ratio(), 4.0 / 9.0);
}

TEST(Merge, MissingShardsLeaveAPartialResult) {
    const RunResult merged = merge({shard_of(1, 3), shard_of(3, 3)});
    EXPECT_TRUE(merged.partial);
    EXPECT_FALSE(merged.interrupted);
    EXPECT_EQ(merged.shard, "1,3/3");
    EXPECT_EQ(merged.cases.size(), 4U);
}

TEST(Merge, InterruptedPartMakesAnInterruptedResult) {
    RunResult second = shard_of(2, 2);
    second.interrupted = true;
    const RunResult merged = merge({shard_of(1, 2), second});
    EXPECT_TRUE(merged.interrupted);
    EXPECT_TRUE(merged.partial);
    EXPECT_EQ(merged.shard, "");  // every shard is there, but one stopped early
}

TEST(Merge, IdenticalDuplicatesAreKeptOnce) {
    RunResult again = mixed_run();
    for (CaseResult& result : again.cases) {
        result.duration_ms += 5;  // timings and transcripts may differ between runs
        result.transcript.clear();
    }
    const RunResult merged = merge({mixed_run(), again});
    EXPECT_EQ(merged.cases.size(), mixed_run().cases.size());
    EXPECT_EQ(merged.cases[1].duration_ms, 12);  // the first part's copy
    EXPECT_FALSE(merged.partial);
}

TEST(Merge, ConflictingDuplicatesAreAnError) {
    RunResult other = mixed_run();
    other.cases[1].outcome = Outcome::pass;
    EXPECT_EQ(merge_error({mixed_run(), other}, {"shard-1.json", "shard-2.json"}),
              "merge: case a/2 differs between shard-1.json and shard-2.json: outcome (\"fail\" "
              "vs \"pass\")");
    other = mixed_run();
    other.cases[1].actual = "221 bye";
    EXPECT_EQ(merge_error({mixed_run(), other}, {"x.json", "y.json"}),
              "merge: case a/2 differs between x.json and y.json: actual (\"250 2.0.0 ok\" vs "
              "\"221 bye\")");
}

TEST(Merge, DifferentTargetsOrVersionsAreAnError) {
    RunResult other = mixed_run();
    other.target.name = "exim-local";
    EXPECT_EQ(merge_error({mixed_run(), other}, {"a.json", "b.json"}),
              "merge: a.json has target \"postfix-local\" but b.json has \"exim-local\"; only "
              "results of one target can be merged");
    other = mixed_run();
    other.tool_version = "0.2.0";
    EXPECT_EQ(merge_error({mixed_run(), other}, {"a.json", "b.json"}),
              "merge: a.json has mailharness version \"0.1.0\" but b.json has \"0.2.0\"; only "
              "results of one mailharness version can be merged");
}

TEST(Merge, BadOrMixedShardsAreAnError) {
    RunResult bad = shard_of(1, 2);
    bad.shard = "3/2";
    EXPECT_EQ(merge_error({bad}, {"a.json"}),
              "merge: a.json: shard \"3/2\" is not of the form I/N with 1 <= I <= N");
    EXPECT_EQ(merge_error({shard_of(1, 2), shard_of(2, 3)}, {"a.json", "b.json"}),
              "merge: b.json is shard 2/3 but an earlier part is of /2: merge shards of one split");
    EXPECT_THROW(merge({}), std::runtime_error);
}

TEST(Merge, WaiverIsUnusedOnlyIfNoPartUsedIt) {
    RunResult first = shard_of(1, 2);
    RunResult second = shard_of(2, 2);
    first.unused_waivers = {"smtp-vrfy/*", "smtp-etrn/*"};
    second.unused_waivers = {"smtp-etrn/*", "pop3-apop/*"};
    EXPECT_EQ(merge({first, second}).unused_waivers, std::vector<std::string>{"smtp-etrn/*"});
}

TEST(Merge, UnreachableOnlyWhenEveryPartWas) {
    RunResult first = shard_of(1, 2);
    RunResult second = shard_of(2, 2);
    first.target_unreachable = true;
    EXPECT_FALSE(merge({first, second}).target_unreachable);
    second.target_unreachable = true;
    EXPECT_TRUE(merge({first, second}).target_unreachable);
}

TEST(Merge, CapabilitiesComeFromThePartThatProbedThem) {
    RunResult first = shard_of(1, 2);
    first.target.smtp_capabilities.clear();
    const RunResult merged = merge({first, shard_of(2, 2)});
    EXPECT_EQ(merged.target.smtp_capabilities, mixed_run().target.smtp_capabilities);
}

}  // namespace
}  // namespace mh::harness::report
