#include "harness/bench/histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace mh::harness::bench {

std::size_t Histogram::bucket_of(std::uint64_t value) {
    if (value < 2 * kSubBuckets)
        return static_cast<std::size_t>(value);
    const int msb = 63 - std::countl_zero(value);
    const int shift = msb - kPrecisionBits;
    const std::uint64_t sub = (value >> shift) - kSubBuckets;
    return static_cast<std::size_t>(
        2 * kSubBuckets + static_cast<std::uint64_t>(msb - kPrecisionBits - 1) * kSubBuckets + sub);
}

std::uint64_t Histogram::bucket_top(std::size_t bucket) {
    if (bucket < 2 * kSubBuckets)
        return bucket;
    const std::uint64_t k = bucket - 2 * kSubBuckets;
    const int shift = static_cast<int>(k / kSubBuckets) + 1;
    const std::uint64_t lower = (kSubBuckets + k % kSubBuckets) << shift;
    return lower + ((std::uint64_t{1} << shift) - 1);
}

void Histogram::record(std::uint64_t value, std::uint64_t count) {
    if (count == 0)
        return;
    counts_[bucket_of(value)] += count;
    count_ += count;
    sum_ += value * count;
    min_ = std::min(min_, value);
    max_ = std::max(max_, value);
}

void Histogram::merge(const Histogram& other) {
    for (std::size_t i = 0; i < kBuckets; ++i)
        counts_[i] += other.counts_[i];
    count_ += other.count_;
    sum_ += other.sum_;
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
}

std::uint64_t Histogram::percentile(double percentile) const {
    if (count_ == 0)
        return 0;
    const double wanted =
        std::ceil(std::clamp(percentile, 0.0, 100.0) / 100.0 * static_cast<double>(count_));
    const std::uint64_t rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(wanted));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < kBuckets; ++i) {
        seen += counts_[i];
        if (seen >= rank)
            return std::min(bucket_top(i), max_);
    }
    return max_;
}

namespace {

std::string percentile_key(double p) {
    std::string key = "p" + std::to_string(p);
    key.erase(key.find_last_not_of('0') + 1);  // "p99.900000" -> "p99.9", "p50.000000" -> "p50."
    if (key.back() == '.')
        key.pop_back();
    return key;
}

}  // namespace

nlohmann::json Histogram::to_json() const {
    nlohmann::json json{
        {"count", count_}, {"min", min()}, {"max", max_}, {"mean", mean()}, {"sum", sum_}};
    for (double p : kReportedPercentiles)
        json[percentile_key(p)] = percentile(p);
    auto buckets = nlohmann::json::array();
    for (std::size_t i = 0; i < kBuckets; ++i)
        if (counts_[i] != 0)
            buckets.push_back({i, counts_[i]});
    json["buckets"] = std::move(buckets);
    return json;
}

Histogram Histogram::from_json(const nlohmann::json& json) {
    auto field = [&](const char* name) -> std::uint64_t {
        if (!json.is_object() || !json.contains(name) || !json[name].is_number_unsigned())
            throw std::invalid_argument(std::string("histogram: \"") + name +
                                        "\" must be a non-negative integer");
        return json[name].get<std::uint64_t>();
    };
    Histogram histogram;
    const std::uint64_t min = field("min");
    const std::uint64_t max = field("max");
    const std::uint64_t count = field("count");
    const std::uint64_t sum = field("sum");
    if (!json.contains("buckets") || !json["buckets"].is_array())
        throw std::invalid_argument("histogram: \"buckets\" must be a list of [index, count]");
    std::uint64_t total = 0;
    for (const auto& pair : json["buckets"]) {
        if (!pair.is_array() || pair.size() != 2 || !pair[0].is_number_unsigned() ||
            !pair[1].is_number_unsigned() || pair[0].get<std::uint64_t>() >= kBuckets)
            throw std::invalid_argument("histogram: bucket " + pair.dump() +
                                        " is not [index below " + std::to_string(kBuckets) +
                                        ", count]");
        histogram.counts_[pair[0].get<std::size_t>()] += pair[1].get<std::uint64_t>();
        total += pair[1].get<std::uint64_t>();
    }
    if (total != count)
        throw std::invalid_argument("histogram: the buckets hold " + std::to_string(total) +
                                    " values but \"count\" says " + std::to_string(count));
    histogram.count_ = count;
    histogram.sum_ = sum;
    histogram.min_ = count ? min : UINT64_MAX;
    histogram.max_ = max;
    return histogram;
}

}  // namespace mh::harness::bench
