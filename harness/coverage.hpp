#pragma once
// The RFC requirement catalogue (suites/requirements/, format in its README.md) and its
// coverage by the suites: which observable requirements have at least one case citing them
// through `requirements: [id, ...]`, and which do not.

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/scenario/load_error.hpp"
#include "harness/scenario/model.hpp"

namespace mh::harness {

// The RFC 2119 keywords (and RFC 1939's lower-case equivalents) a requirement is stated with.
enum class RequirementLevel {
    must,
    must_not,
    shall,
    shall_not,
    required,
    should,
    should_not,
    recommended,
    may,
};
const char* to_string(RequirementLevel level);  // "MUST", "MUST NOT", ...
std::optional<RequirementLevel> parse_requirement_level(std::string_view text);
// MUST, MUST NOT, SHALL, SHALL NOT and REQUIRED: a conforming server has no choice.
bool is_mandatory(RequirementLevel level);

struct Requirement {
    std::string id;  // "RFC5321-4.1.1.10-a"
    std::string rfc;
    std::string section;
    RequirementLevel level = RequirementLevel::must;
    std::string text;
    bool observable = true;
    std::string reason;  // why it is not observable
    scenario::Position position;
};

struct CatalogueLoad {
    std::vector<Requirement> requirements;  // file order, files in name order
    std::vector<scenario::LoadError> errors;
};

// Parses one catalogue file. Errors (each with its position): not a map, unknown or missing
// keys, an unknown level, `observable: false` without `reason`, an id that does not start with
// the file's `rfc`, an id that appears twice.
CatalogueLoad parse_catalogue(std::string_view yaml, const std::string& file_name);
// Every *.yaml in `folder` (not recursive); ids must be unique across the files too.
CatalogueLoad load_catalogue(const std::filesystem::path& folder);

struct RequirementCoverage {
    const Requirement* requirement = nullptr;
    std::vector<std::string> cases;  // full case ids ("smtp-rcpt/rcpt-without-mail")
};

struct UnknownRequirement {  // a case cites an id the catalogue does not have
    std::string case_id;
    std::string requirement;
    scenario::Position position;  // the case's
};

struct RfcCoverage {
    std::string rfc;
    std::size_t observable = 0;
    std::size_t covered = 0;              // observable ones with at least one case
    std::size_t mandatory_uncovered = 0;  // observable MUST-level ones without a case
};

struct Coverage {
    std::vector<RequirementCoverage> requirements;  // catalogue order
    std::vector<UnknownRequirement> unknown;

    std::vector<RfcCoverage> per_rfc() const;  // in order of first appearance
    // Observable requirements without a case: mandatory ones first, then catalogue order.
    std::vector<const Requirement*> uncovered() const;
    bool mandatory_gap() const;  // an observable MUST-level requirement has no case
};

// `catalogue` must outlive the result (it points into it).
Coverage measure_coverage(const std::vector<Requirement>& catalogue,
                          const std::vector<scenario::Suite>& suites);

}  // namespace mh::harness
