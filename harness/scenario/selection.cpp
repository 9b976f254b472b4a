#include "harness/scenario/selection.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>

namespace mh::harness::scenario {

namespace {

bool equal_ignoring_case(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

bool section_prefix(std::string_view prefix, std::string_view ref) {
    return ref.starts_with(prefix) && (ref.size() == prefix.size() || ref[prefix.size()] == '.');
}

template <typename T, typename Pred>
bool any_or_empty(const std::vector<T>& filters, Pred pred) {
    return filters.empty() || std::any_of(filters.begin(), filters.end(), pred);
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view text) {
    // Iterative matcher with one backtrack point: linear in practice, no recursion.
    std::size_t p = 0, t = 0, star = std::string_view::npos, resume = 0;
    while (t < text.size()) {
        if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
            ++p;
            ++t;
        } else if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            resume = t;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            t = ++resume;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') {
        ++p;
    }
    return p == pattern.size();
}

bool Selection::selects(const Suite& suite, const Case& kase) const {
    const std::string full_id = suite.id + "/" + kase.id;
    return any_or_empty(case_globs,
                        [&](const std::string& glob) { return glob_match(glob, full_id); }) &&
           any_or_empty(tags,
                        [&](const std::string& tag) {
                            return std::find(kase.tags.begin(), kase.tags.end(), tag) !=
                                   kase.tags.end();
                        }) &&
           any_or_empty(levels, [&](Level level) { return level == kase.level; }) &&
           any_or_empty(
               specs,
               [&](const std::string& spec) { return equal_ignoring_case(spec, kase.spec); }) &&
           any_or_empty(refs,
                        [&](const std::string& ref) { return section_prefix(ref, kase.ref); });
}

bool in_shard(std::string_view full_id, unsigned index, unsigned count) {
    std::uint64_t hash = 14695981039346656037ull;  // FNV-1a: fixed, unlike std::hash
    for (char c : full_id) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 1099511628211ull;
    }
    return hash % count == index - 1;
}

}  // namespace mh::harness::scenario
