#pragma once
// Loads suite files into the scenario model with a full schema check: every error of a file is
// collected with its position, what was expected and what to write instead.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/scenario/load_error.hpp"
#include "harness/scenario/model.hpp"

namespace mh::harness::scenario {

struct SuiteLoad {
    std::optional<Suite> suite;  // set only when the file has no error
    std::vector<LoadError> errors;
};

// `file_name` is used in positions; `data:`/`file:` paths resolve against `base_dir`.
SuiteLoad parse_suite(std::string_view yaml, const std::string& file_name,
                      const std::filesystem::path& base_dir);
SuiteLoad load_suite(const std::filesystem::path& file);

struct SuiteSet {
    std::vector<Suite> suites;  // in path order, folders walked in sorted order
    std::vector<LoadError> errors;
};

// Files named on the command line are loaded as suites. Folders are walked recursively for
// *.yaml / *.yml; there, files whose top level has no `suite:` key (target profiles, the
// requirement catalogue) are not suites and are left out. Suite ids must be unique.
SuiteSet load_suites(const std::vector<std::filesystem::path>& paths);

// What kind of YAML file this is, from its top-level keys: "suite", "target", "" (another
// kind) or "broken" (not valid YAML).
std::string yaml_file_kind(const std::filesystem::path& file);

}  // namespace mh::harness::scenario
