#include "cli/suite_options.hpp"

#include <algorithm>
#include <cctype>

#ifndef MH_SOURCE_SUITES
#define MH_SOURCE_SUITES ""
#endif

namespace mh::cli {

void SuiteOptions::add_to(CLI::App& command, bool with_selection) {
    command.add_option(
        "paths", paths,
        "Suite files or folders (searched recursively); default: the bundled suites");
    if (!with_selection) {
        return;
    }
    command.add_option("--case", cases, "Only cases whose full id (suite/case) matches this glob")
        ->take_all();
    command.add_option("--tag", tags, "Only cases with this tag")->take_all();
    command.add_option("--level", levels, "Only cases at this level: MUST, SHOULD or MAY")
        ->take_all();
    command.add_option("--spec", specs, "Only cases checking this spec, e.g. RFC5321")->take_all();
    command.add_option("--ref", refs, "Only cases in this section or below it, e.g. 4.1.1")
        ->take_all();
}

harness::scenario::Selection SuiteOptions::selection() const {
    harness::scenario::Selection selection;
    selection.case_globs = cases;
    selection.tags = tags;
    selection.specs = specs;
    selection.refs = refs;
    for (std::string level : levels) {
        std::transform(level.begin(), level.end(), level.begin(),
                       [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
        const auto parsed = harness::parse_level(level);
        if (!parsed) {
            throw CLI::ValidationError("--level",
                                       "must be MUST, SHOULD or MAY, not \"" + level + "\"");
        }
        selection.levels.push_back(*parsed);
    }
    return selection;
}

std::filesystem::path bundled_suites() {
    std::error_code ec;
    // An installed binary uses its own prefix's suites, even where the source tree exists.
    const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    const auto installed = exe.parent_path().parent_path() / "share" / "mailharness" / "suites";
    if (std::filesystem::is_directory(installed, ec)) {
        return installed;
    }
    const std::filesystem::path source = MH_SOURCE_SUITES;
    if (!source.empty() && std::filesystem::is_directory(source, ec)) {
        return source;
    }
    return installed;
}

std::vector<std::filesystem::path> SuiteOptions::resolved_paths() const {
    if (paths.empty()) {
        return {bundled_suites()};
    }
    return {paths.begin(), paths.end()};
}

void print_load_errors(std::FILE* out, const std::vector<harness::scenario::LoadError>& errors) {
    for (const auto& error : errors) {
        std::fprintf(out, "%s\n", error.format().c_str());
    }
}

}  // namespace mh::cli
