#pragma once
// What `run`, `list` and `validate` share: suite paths (default: the bundled suites) and the
// case selection flags (--case, --tag, --level, --spec, --ref).

#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "harness/scenario/load_error.hpp"
#include "harness/scenario/selection.hpp"
#include "harness/scenario/suite_loader.hpp"

namespace mh::cli {

struct SuiteOptions {
    std::vector<std::string> paths;
    std::vector<std::string> cases, tags, levels, specs, refs;

    // Adds PATH... and the selection flags to a subcommand.
    void add_to(CLI::App& command, bool with_selection);
    // Throws CLI::ValidationError on a bad --level.
    harness::scenario::Selection selection() const;
    // The paths given, or the bundled suites folder.
    std::vector<std::filesystem::path> resolved_paths() const;
};

// The suites shipped with mailharness: the source tree's suites/ when run from a build, else
// the installed share/mailharness/suites next to the binary's prefix.
std::filesystem::path bundled_suites();

void print_load_errors(std::FILE* out, const std::vector<harness::scenario::LoadError>& errors);

}  // namespace mh::cli
