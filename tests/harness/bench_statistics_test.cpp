// The bench statistics against known inputs: histogram percentiles and their error bound,
// merging (in memory and through JSON), and the open-loop pacing that corrects coordinated
// omission, on a simulated server that stalls once.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <random>
#include <vector>

#include "harness/bench/histogram.hpp"
#include "harness/bench/pacing.hpp"
#include "harness/bench/stats.hpp"

namespace mh::harness::bench {
namespace {

using namespace std::chrono_literals;

// The exact percentile by the same rank rule as Histogram::percentile.
std::uint64_t exact_percentile(std::vector<std::uint64_t> values, double p) {
    std::sort(values.begin(), values.end());
    auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(values.size())));
    return values[std::max<std::size_t>(rank, 1) - 1];
}

TEST(BenchHistogram, SmallValuesAreExact) {
    Histogram h;
    for (std::uint64_t v = 1; v <= 100; ++v)
        h.record(v);
    EXPECT_EQ(h.count(), 100u);
    EXPECT_EQ(h.percentile(50), 50u);
    EXPECT_EQ(h.percentile(90), 90u);
    EXPECT_EQ(h.percentile(99), 99u);
    EXPECT_EQ(h.percentile(99.9), 100u);
    EXPECT_EQ(h.percentile(100), 100u);
    EXPECT_EQ(h.min(), 1u);
    EXPECT_EQ(h.max(), 100u);
    EXPECT_DOUBLE_EQ(h.mean(), 50.5);
}

TEST(BenchHistogram, EmptyReportsZero) {
    Histogram h;
    EXPECT_EQ(h.percentile(99), 0u);
    EXPECT_EQ(h.min(), 0u);
    EXPECT_EQ(h.max(), 0u);
}

TEST(BenchHistogram, BucketsCoverEveryValueWithinTheStatedError) {
    for (std::uint64_t v :
         std::vector<std::uint64_t>{0, 1, 255, 256, 257, 1000, 123456789,
                                    (std::uint64_t{1} << 40) + 12345, UINT64_MAX / 3, UINT64_MAX}) {
        const std::size_t bucket = Histogram::bucket_of(v);
        ASSERT_LT(bucket, Histogram::kBuckets) << v;
        const std::uint64_t top = Histogram::bucket_top(bucket);
        EXPECT_GE(top, v);
        EXPECT_LE(static_cast<double>(top - v), Histogram::kRelativeError * static_cast<double>(v))
            << v;
        if (bucket > 0) {
            EXPECT_LT(Histogram::bucket_top(bucket - 1), v) << v;
        }
    }
}

TEST(BenchHistogram, PercentilesOfALogNormalSampleWithinTheBound) {
    std::mt19937_64 random(42);
    std::lognormal_distribution<double> latency(std::log(200'000.0), 1.0);  // ~200 us median
    std::vector<std::uint64_t> values;
    Histogram h;
    for (int i = 0; i < 100'000; ++i) {
        values.push_back(static_cast<std::uint64_t>(latency(random)));
        h.record(values.back());
    }
    for (double p : {50.0, 90.0, 99.0, 99.9}) {
        const auto exact = static_cast<double>(exact_percentile(values, p));
        const auto reported = static_cast<double>(h.percentile(p));
        EXPECT_GE(reported, exact) << "p" << p;
        EXPECT_LE(reported, exact * (1 + Histogram::kRelativeError)) << "p" << p;
    }
    EXPECT_EQ(h.percentile(100), *std::max_element(values.begin(), values.end()));
}

TEST(BenchHistogram, MergeEqualsRecordingEverythingInOne) {
    Histogram a, b, all;
    for (std::uint64_t v = 0; v < 5000; ++v) {
        (v % 3 ? a : b).record(v * 997);
        all.record(v * 997);
    }
    a.merge(b);
    EXPECT_EQ(a.count(), all.count());
    EXPECT_EQ(a.min(), all.min());
    EXPECT_EQ(a.max(), all.max());
    for (double p : kReportedPercentiles)
        EXPECT_EQ(a.percentile(p), all.percentile(p));
}

TEST(BenchHistogram, JsonRoundTripIsLossless) {
    Histogram h;
    for (std::uint64_t v = 1; v < 100'000; v += 37)
        h.record(v, 2);
    const nlohmann::json json = h.to_json();
    EXPECT_EQ(json["p50"], h.percentile(50));
    EXPECT_EQ(json["p99.9"], h.percentile(99.9));
    const Histogram back = Histogram::from_json(json);
    EXPECT_EQ(back.count(), h.count());
    for (double p : kReportedPercentiles)
        EXPECT_EQ(back.percentile(p), h.percentile(p));
}

TEST(BenchHistogram, JsonWithInconsistentCountsIsRejected) {
    Histogram h;
    h.record(5);
    nlohmann::json json = h.to_json();
    json["count"] = 2;
    EXPECT_THROW(Histogram::from_json(json), std::invalid_argument);
    json = h.to_json();
    json["buckets"] = {{Histogram::kBuckets, 1}};
    EXPECT_THROW(Histogram::from_json(json), std::invalid_argument);
}

TEST(BenchReport, MergeAddsCountsAndAlignsTimelines) {
    Report a;
    a.protocol = "smtp";
    a.unit = "message";
    a.target = "127.0.0.1:25";
    a.start_unix_ms = 1'000'000;
    a.measured_seconds = 2;
    a.stats.units = 100;
    a.stats.latency.record(1000, 100);
    a.stats.error("RCPT", "4xx", "452");
    a.timeline = {{1, 50, 0, 0}, {2, 50, 0, 1}};
    Report b = a;
    b.start_unix_ms += 1000;  // started a second later
    b.stats.latency = Histogram();
    b.stats.latency.record(9000, 100);
    Report merged =
        report_from_json(to_json(merge_reports({report_from_json(to_json(a, {})), b}), {}));
    EXPECT_EQ(merged.processes, 2u);
    EXPECT_EQ(merged.stats.units, 200u);
    EXPECT_EQ(merged.stats.errors["4xx"], 2u);
    EXPECT_EQ(merged.stats.errors_by_command["RCPT 452"], 2u);
    EXPECT_DOUBLE_EQ(merged.rate(), 100.0);
    EXPECT_GE(merged.stats.latency.percentile(50), 1000u);
    EXPECT_LE(merged.stats.latency.percentile(50), 1000 * (1 + Histogram::kRelativeError));
    EXPECT_GE(merged.stats.latency.percentile(90), 9000u);
    ASSERT_EQ(merged.timeline.size(), 3u);  // seconds 1, 2 (both), 3
    EXPECT_EQ(merged.timeline[1].units, 100u);
    EXPECT_EQ(merged.timeline[1].errors, 1u);
}

TEST(BenchReport, MergeRefusesDifferentProtocols) {
    Report a, b;
    a.protocol = "smtp";
    b.protocol = "pop3";
    EXPECT_THROW(merge_reports({a, b}), std::invalid_argument);
}

TEST(BenchPacing, ClosedLoopCountsOnlyMeasuredUnits) {
    const auto start = Clock::now();
    Pacer pacer({.units = 3, .duration = {}, .warmup = 1s, .rate = {}}, start);
    EXPECT_TRUE(pacer.next(start)->warmup);
    EXPECT_TRUE(pacer.next(start + 999ms)->warmup);
    for (int i = 0; i < 3; ++i)
        EXPECT_FALSE(pacer.next(start + 1s)->warmup);
    EXPECT_FALSE(pacer.next(start + 1s).has_value());
}

TEST(BenchPacing, OpenLoopFollowsTheSchedule) {
    const auto start = Clock::now();
    Pacer pacer({.units = {}, .duration = 1s, .warmup = 0s, .rate = 100.0}, start);
    std::uint64_t issued = 0;
    while (auto ticket = pacer.next(start)) {
        EXPECT_EQ(ticket->intended - start, std::chrono::milliseconds(10 * ticket->sequence));
        ++issued;
    }
    EXPECT_EQ(issued, 100u);
}

// One connection, 1,000 messages/s for 2 s, a server that answers in 100 us but stalls for
// 500 ms once. Measured from when each message was actually sent, the stall is one slow
// message (p99 looks healthy); measured from the intended time, every message scheduled during
// the stall waited for it, which is what a user of that server would see.
TEST(BenchPacing, OpenLoopLatencyIncludesTheQueueBehindAStall) {
    const auto start = Clock::time_point{};
    Pacer pacer({.units = {}, .duration = 2s, .warmup = 0s, .rate = 1000.0}, start);
    Histogram corrected, naive;
    auto server_free = start;
    bool stalled = false;
    while (auto ticket = pacer.next(server_free)) {
        const auto sent = std::max(ticket->intended, server_free);  // one session: waits its turn
        auto service = std::chrono::nanoseconds(100us);
        if (!stalled && sent >= start + 1s) {
            service = 500ms;
            stalled = true;
        }
        const auto done = sent + service;
        server_free = done;
        corrected.record(unit_latency(*ticket, sent, done, true));
        naive.record(unit_latency(*ticket, sent, done, false));
    }
    EXPECT_EQ(corrected.count(), 2000u);
    EXPECT_LE(naive.percentile(99), 101'000u);          // hides the stall
    EXPECT_GE(corrected.percentile(90), 100'000'000u);  // ~500 of 2000 messages waited >= 100 ms
    EXPECT_GE(corrected.max(), 500'000'000u);
}

}  // namespace
}  // namespace mh::harness::bench
