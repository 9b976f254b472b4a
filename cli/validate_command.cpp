// mailharness validate PATH...: checks suite files and target profiles without running them.
// Exit 0 when every file is valid, 2 on any error (each printed with file:line:column).
#include <cstdio>
#include <memory>

#include "cli/commands.hpp"
#include "cli/suite_options.hpp"
#include "harness/scenario/suite_loader.hpp"
#include "harness/scenario/target.hpp"

namespace mh::cli {

namespace {

int validate(const SuiteOptions& options) {
    namespace sc = harness::scenario;
    std::vector<std::filesystem::path> suite_paths;
    std::vector<sc::LoadError> errors;
    std::size_t targets = 0;
    const auto check_target = [&](const std::filesystem::path& file) {
        auto load = sc::load_target(file);
        errors.insert(errors.end(), load.errors.begin(), load.errors.end());
        if (load.profile) {
            ++targets;
        }
    };
    for (const auto& path : options.resolved_paths()) {
        std::error_code ec;
        if (std::filesystem::is_directory(path, ec)) {
            suite_paths.push_back(path);  // suites inside are found by load_suites
            for (const auto& entry : std::filesystem::recursive_directory_iterator(path, ec)) {
                if (entry.is_regular_file() && sc::yaml_file_kind(entry.path()) == "target") {
                    check_target(entry.path());
                }
            }
        } else if (sc::yaml_file_kind(path) == "target") {
            check_target(path);
        } else {
            suite_paths.push_back(path);
        }
    }
    const auto suites = sc::load_suites(suite_paths);
    errors.insert(errors.end(), suites.errors.begin(), suites.errors.end());
    print_load_errors(stderr, errors);
    std::size_t cases = 0;
    for (const auto& suite : suites.suites) {
        cases += suite.cases.size();
    }
    std::printf("%zu suites (%zu cases) and %zu target profiles valid, %zu errors\n",
                suites.suites.size(), cases, targets, errors.size());
    return errors.empty() ? 0 : 2;
}

}  // namespace

void add_validate_command(CLI::App& app, CommandContext& ctx) {
    auto options = std::make_shared<SuiteOptions>();
    CLI::App* command = app.add_subcommand(
        "validate", "Check suite files and target profiles without running them");
    options->add_to(*command, false);
    command->callback([options, &ctx] { ctx.exit_code = validate(*options); });
}

}  // namespace mh::cli
