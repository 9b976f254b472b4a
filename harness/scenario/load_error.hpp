#pragma once
// Errors found while loading suites and target profiles: each with its file:line:column,
// what was expected and what to write instead. Loading collects every error of a file.

#include <string>
#include <vector>

#include "harness/scenario/model.hpp"

namespace mh::harness::scenario {

struct LoadError {
    Position position;  // line/column 0 when the error concerns the whole file
    std::string message;

    std::string format() const;  // "suites/x.yaml:12:7: error: ..."
    bool operator==(const LoadError&) const = default;
};

}  // namespace mh::harness::scenario
