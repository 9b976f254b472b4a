// mailharness list PATH...: the selected cases with their id, spec reference, level and tags.
#include <cstdio>
#include <memory>

#include "cli/commands.hpp"
#include "cli/suite_options.hpp"
#include "harness/run/runner.hpp"

namespace mh::cli {

namespace {

int list(const SuiteOptions& options) {
    const auto suites = harness::scenario::load_suites(options.resolved_paths());
    if (!suites.errors.empty()) {
        print_load_errors(stderr, suites.errors);
        return 2;
    }
    const auto selected =
        harness::run::select_cases(suites.suites, options.selection(), std::nullopt);
    for (const auto& item : selected) {
        const auto& kase = *item.kase;
        std::string tags;
        for (const auto& tag : kase.tags) {
            tags += (tags.empty() ? "" : ",") + tag;
        }
        const std::string id = item.suite->id + "/" + kase.id;
        const std::string ref = kase.spec + (kase.ref.empty() ? "" : " " + kase.ref);
        std::printf("%-60s %-18s %-6s %s\n", id.c_str(), ref.c_str(),
                    harness::to_string(kase.level), tags.c_str());
    }
    std::printf("%zu cases\n", selected.size());
    return 0;
}

}  // namespace

void add_list_command(CLI::App& app, CommandContext& ctx) {
    auto options = std::make_shared<SuiteOptions>();
    CLI::App* command =
        app.add_subcommand("list", "List the cases of suites: id, spec reference, level, tags");
    options->add_to(*command, true);
    command->callback([options, &ctx] { ctx.exit_code = list(*options); });
}

}  // namespace mh::cli
