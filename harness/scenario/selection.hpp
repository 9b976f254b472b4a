#pragma once
// Which cases a run or a listing takes: --case GLOB, --tag, --level, --spec, --ref. Within one
// kind of filter any value selects (OR); across kinds all must hold (AND). No filter: all.

#include <string>
#include <string_view>
#include <vector>

#include "harness/scenario/model.hpp"

namespace mh::harness::scenario {

struct Selection {
    std::vector<std::string> case_globs;  // on the full id "suite/case"; * and ? wildcards
    std::vector<std::string> tags;
    std::vector<Level> levels;
    std::vector<std::string> specs;  // "RFC5321", case-insensitive
    std::vector<std::string> refs;   // section prefix: "4.1.1" takes 4.1.1 and 4.1.1.10, not 4.1.10

    bool selects(const Suite& suite, const Case& kase) const;
};

// Shell-style glob: '*' any run of characters, '?' one character.
bool glob_match(std::string_view pattern, std::string_view text);

// --shard I/N: a stable slice by a hash of the full case id, the same on every machine.
bool in_shard(std::string_view full_id, unsigned index, unsigned count);  // index 1-based

}  // namespace mh::harness::scenario
