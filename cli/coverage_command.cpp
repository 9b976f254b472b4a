// mailharness coverage [PATH...]: which observable requirements of the RFC catalogue have cases.
// Exit 0 when every observable MUST-level requirement has a case, 1 when one has none, 2 on a
// bad catalogue or suite file, or a case citing an id the catalogue does not have.
#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "cli/suite_options.hpp"
#include "harness/coverage.hpp"

namespace mh::cli {

namespace {

struct CoverageOptions {
    SuiteOptions suites;
    std::string catalogue;  // default: the bundled suites' requirements/
    bool list = false;
};

void print_table(const harness::Coverage& coverage) {
    std::printf("%-10s %10s %8s %15s\n", "RFC", "observable", "covered", "uncovered MUST");
    harness::RfcCoverage total;
    for (const auto& rfc : coverage.per_rfc()) {
        std::printf("%-10s %10zu %8zu %15zu\n", rfc.rfc.c_str(), rfc.observable, rfc.covered,
                    rfc.mandatory_uncovered);
        total.observable += rfc.observable;
        total.covered += rfc.covered;
        total.mandatory_uncovered += rfc.mandatory_uncovered;
    }
    std::printf("%-10s %10zu %8zu %15zu\n", "all", total.observable, total.covered,
                total.mandatory_uncovered);
}

void print_requirement(const harness::Requirement& requirement) {
    std::printf("  %-11s %-22s %s\n", harness::to_string(requirement.level), requirement.id.c_str(),
                requirement.text.c_str());
}

// Every observable requirement with the cases that check it.
void print_list(const harness::Coverage& coverage) {
    std::printf("\nObservable requirements and their cases:\n");
    for (const auto& entry : coverage.requirements) {
        if (!entry.requirement->observable) {
            continue;
        }
        print_requirement(*entry.requirement);
        if (entry.cases.empty()) {
            std::printf("      (no case)\n");
        }
        for (const auto& id : entry.cases) {
            std::printf("      %s\n", id.c_str());
        }
    }
}

int coverage(const CoverageOptions& options) {
    const std::filesystem::path catalogue_folder = options.catalogue.empty()
                                                       ? bundled_suites() / "requirements"
                                                       : std::filesystem::path(options.catalogue);
    const auto catalogue = harness::load_catalogue(catalogue_folder);
    const auto suites = harness::scenario::load_suites(options.suites.resolved_paths());
    print_load_errors(stderr, catalogue.errors);
    print_load_errors(stderr, suites.errors);
    if (!catalogue.errors.empty() || !suites.errors.empty()) {
        return 2;
    }
    const auto result = harness::measure_coverage(catalogue.requirements, suites.suites);
    for (const auto& unknown : result.unknown) {
        std::fprintf(stderr, "%s: error: case %s cites %s, which is not in the catalogue %s\n",
                     unknown.position.file.c_str(), unknown.case_id.c_str(),
                     unknown.requirement.c_str(), catalogue_folder.string().c_str());
    }
    std::printf("Catalogue %s: %zu requirements; %zu suites\n\n", catalogue_folder.string().c_str(),
                catalogue.requirements.size(), suites.suites.size());
    print_table(result);
    if (options.list) {
        print_list(result);
    }
    const auto uncovered = result.uncovered();
    if (!uncovered.empty()) {
        std::printf("\nObservable requirements without a case (%zu):\n", uncovered.size());
        for (const auto* requirement : uncovered) {
            print_requirement(*requirement);
        }
    }
    if (!result.unknown.empty()) {
        return 2;
    }
    if (result.mandatory_gap()) {
        std::printf("\nFAIL: an observable MUST-level requirement has no case\n");
        return 1;
    }
    std::printf("\nEvery observable MUST-level requirement has at least one case\n");
    return 0;
}

}  // namespace

void add_coverage_command(CLI::App& app, CommandContext& ctx) {
    auto options = std::make_shared<CoverageOptions>();
    CLI::App* command = app.add_subcommand(
        "coverage",
        "Show which observable RFC requirements the suites check (exit 1 when an "
        "observable MUST has no case)");
    options->suites.add_to(*command, false);
    command->add_option("--catalogue", options->catalogue,
                        "Requirement catalogue folder; default: the bundled suites/requirements");
    command->add_flag("--list", options->list,
                      "Also list every observable requirement with the cases that check it");
    command->callback([options, &ctx] { ctx.exit_code = coverage(*options); });
}

}  // namespace mh::cli
