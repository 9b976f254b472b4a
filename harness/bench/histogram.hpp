#pragma once
// An HDR-style latency histogram: values (nanoseconds) fall into log-bucketed ranges, each
// power of two split into kSubBuckets linear sub-buckets, so any recorded value is reported
// within a relative error of 1 / 128 (0.78 %) whatever its magnitude. Memory is fixed
// (kBuckets counters) however many values are recorded, and two histograms merge by adding
// counters, which is what makes results of several bench processes combinable.

#include <array>
#include <cstdint>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace mh::harness::bench {

class Histogram {
  public:
    // Significant bits kept below the leading one: each power of two is split in 2^7 buckets.
    static constexpr int kPrecisionBits = 7;
    static constexpr std::uint64_t kSubBuckets = std::uint64_t{1} << kPrecisionBits;
    // Values below 2 * kSubBuckets get a bucket each (exact); every power of two above adds
    // kSubBuckets buckets: 7,424 counters in all.
    static constexpr std::size_t kBuckets = 2 * kSubBuckets + (63 - kPrecisionBits) * kSubBuckets;
    // Upper bound of the relative error of a reported value (percentiles).
    static constexpr double kRelativeError = 1.0 / kSubBuckets;

    void record(std::uint64_t value, std::uint64_t count = 1);
    void merge(const Histogram& other);

    std::uint64_t count() const { return count_; }
    std::uint64_t min() const { return count_ ? min_ : 0; }
    std::uint64_t max() const { return max_; }  // exact
    double mean() const {
        return count_ ? static_cast<double>(sum_) / static_cast<double>(count_) : 0.0;
    }

    // The smallest recorded value v such that at least `percentile` % of the values are <= v,
    // reported as the top of v's bucket (never below v, at most kRelativeError above), capped
    // at the exact max. 0 when empty.
    std::uint64_t percentile(double percentile) const;

    // {"count", "min", "max", "mean", "p50", "p90", "p99", "p99.9", "buckets": [[index, n]...]}
    // The sparse buckets make the JSON lossless for merging (from_json).
    nlohmann::json to_json() const;
    // Throws std::invalid_argument naming the field that is missing or out of range.
    static Histogram from_json(const nlohmann::json& json);

    static std::size_t bucket_of(std::uint64_t value);
    static std::uint64_t bucket_top(std::size_t bucket);  // largest value in the bucket

  private:
    std::vector<std::uint64_t> counts_ = std::vector<std::uint64_t>(kBuckets, 0);
    std::uint64_t count_ = 0;
    std::uint64_t min_ = UINT64_MAX;
    std::uint64_t max_ = 0;
    std::uint64_t sum_ = 0;
};

// The percentiles every report shows, in this order.
inline constexpr std::array<double, 4> kReportedPercentiles{50.0, 90.0, 99.0, 99.9};

}  // namespace mh::harness::bench
