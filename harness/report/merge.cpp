// Joins the results of shards (or of several runs against one target) into one run; see
// docs/report-schema.md "Merging" for the rules.

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <set>
#include <stdexcept>

#include "harness/report/reports.hpp"

namespace mh::harness::report {

namespace {

struct ShardIndex {
    int index = 0;
    int count = 0;
};

int parse_positive(std::string_view text) {
    int value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size() || value < 1) {
        return 0;
    }
    return value;
}

ShardIndex parse_shard(const std::string& shard, const std::string& name) {
    const std::size_t slash = shard.find('/');
    const ShardIndex parsed{
        slash == std::string::npos ? 0 : parse_positive(std::string_view(shard).substr(0, slash)),
        slash == std::string::npos ? 0 : parse_positive(std::string_view(shard).substr(slash + 1)),
    };
    if (parsed.index == 0 || parsed.count == 0 || parsed.index > parsed.count) {
        throw std::runtime_error(fmt::format(
            "merge: {}: shard \"{}\" is not of the form I/N with 1 <= I <= N", name, shard));
    }
    return parsed;
}

// The first field in which two results of one case disagree on the verdict, as
// "outcome (pass vs fail)"; empty when they agree (timings and transcripts may differ).
std::string verdict_difference(const CaseResult& a, const CaseResult& b) {
    const auto differ = [](const char* field, const std::string& x, const std::string& y) {
        return x == y ? std::string() : fmt::format("{} (\"{}\" vs \"{}\")", field, x, y);
    };
    const std::string step_a = a.failed_step ? std::to_string(*a.failed_step) : "none";
    const std::string step_b = b.failed_step ? std::to_string(*b.failed_step) : "none";
    for (std::string difference : {
             differ("outcome", to_string(a.outcome), to_string(b.outcome)),
             differ("level", to_string(a.level), to_string(b.level)),
             differ("spec", a.spec, b.spec),
             differ("ref", a.ref, b.ref),
             differ("title", a.title, b.title),
             differ("message", a.message, b.message),
             differ("expected", a.expected, b.expected),
             differ("actual", a.actual, b.actual),
             differ("failed_step", step_a, step_b),
             differ("waiver_reason", a.waiver_reason, b.waiver_reason),
         }) {
        if (!difference.empty()) {
            return difference;
        }
    }
    return {};
}

void check_same(const char* what, const std::string& first, const std::string& first_name,
                const std::string& other, const std::string& other_name) {
    if (first != other) {
        throw std::runtime_error(fmt::format(
            "merge: {} has {} \"{}\" but {} has \"{}\"; only results of one {} can be merged",
            first_name, what, first, other_name, other, what));
    }
}

// Sets partial / interrupted / shard of `merged` from what the parts cover.
void merge_coverage(RunResult& merged, const std::vector<RunResult>& parts,
                    const std::vector<std::string>& names) {
    bool whole_run = false;  // some part ran every selected case
    std::set<int> shard_indexes;
    int shard_count = 0;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const RunResult& part = parts[i];
        // Older writers mark an interrupted run only as partial without a shard.
        const bool interrupted = part.interrupted || (part.partial && part.shard.empty());
        merged.interrupted = merged.interrupted || interrupted;
        if (part.shard.empty()) {
            whole_run = whole_run || !interrupted;
            continue;
        }
        const ShardIndex shard = parse_shard(part.shard, names[i]);
        if (shard_count != 0 && shard.count != shard_count) {
            throw std::runtime_error(fmt::format(
                "merge: {} is shard {} but an earlier part is of /{}: merge shards of one split",
                names[i], part.shard, shard_count));
        }
        shard_count = shard.count;
        shard_indexes.insert(shard.index);
    }
    const bool covered =
        whole_run ||
        (shard_count > 0 && shard_indexes.size() == static_cast<std::size_t>(shard_count));
    merged.partial = merged.interrupted || !covered;
    merged.shard = covered ? "" : fmt::format("{}/{}", fmt::join(shard_indexes, ","), shard_count);
}

}  // namespace

RunResult merge(const std::vector<RunResult>& parts, const std::vector<std::string>& names) {
    if (parts.empty()) {
        throw std::runtime_error("merge: no results to merge");
    }
    if (names.size() != parts.size()) {
        throw std::invalid_argument("merge: one name per part is needed");
    }
    const RunResult& first = parts.front();
    RunResult merged;
    merged.tool_version = first.tool_version;
    merged.target = first.target;
    merged.target_unreachable = true;
    merged.unused_waivers = first.unused_waivers;

    std::map<std::string, std::size_t> seen;     // full id -> index in merged.cases
    std::map<std::string, std::size_t> seen_in;  // full id -> index of the part it came from
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const RunResult& part = parts[i];
        check_same("mailharness version", first.tool_version, names.front(), part.tool_version,
                   names[i]);
        check_same("target", first.target.name, names.front(), part.target.name, names[i]);
        if (merged.target.smtp_capabilities.empty()) {
            merged.target.smtp_capabilities = part.target.smtp_capabilities;
        }
        if (merged.target.pop3_capabilities.empty()) {
            merged.target.pop3_capabilities = part.target.pop3_capabilities;
        }
        if (!part.started_at.empty() &&
            (merged.started_at.empty() || part.started_at < merged.started_at)) {
            merged.started_at = part.started_at;
        }
        // Shards run side by side: the merged run took as long as its longest part.
        merged.duration_ms = std::max(merged.duration_ms, part.duration_ms);
        merged.target_unreachable = merged.target_unreachable && part.target_unreachable;
        // A waiver is unused only if no part used it.
        std::erase_if(merged.unused_waivers, [&](const std::string& waiver) {
            return std::find(part.unused_waivers.begin(), part.unused_waivers.end(), waiver) ==
                   part.unused_waivers.end();
        });

        for (const CaseResult& result : part.cases) {
            const std::string full_id = result.full_id();
            const auto [found, inserted] = seen.try_emplace(full_id, merged.cases.size());
            if (inserted) {
                seen_in[full_id] = i;
                merged.cases.push_back(result);
                continue;
            }
            const std::string difference = verdict_difference(merged.cases[found->second], result);
            if (!difference.empty()) {
                throw std::runtime_error(fmt::format("merge: case {} differs between {} and {}: {}",
                                                     full_id, names[seen_in[full_id]], names[i],
                                                     difference));
            }
        }
    }
    merge_coverage(merged, parts, names);
    // Sorted, so that the merged file does not depend on the order of the parts.
    std::stable_sort(
        merged.cases.begin(), merged.cases.end(),
        [](const CaseResult& a, const CaseResult& b) { return a.full_id() < b.full_id(); });
    return merged;
}

RunResult merge(const std::vector<RunResult>& parts) {
    std::vector<std::string> names;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        names.push_back(fmt::format("part {}", i + 1));
    }
    return merge(parts, names);
}

}  // namespace mh::harness::report
