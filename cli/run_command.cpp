// mailharness run [PATH...]: runs conversation suites against a target and scores it.
// No target given: the embedded reference server on free loopback ports with a throwaway
// Maildir and the fixed default profile (docs/scenario-format.md). Exit codes: docs/cli.md.
#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>

#include "cli/commands.hpp"
#include "cli/interrupt.hpp"
#include "cli/suite_options.hpp"
#include "cli/target_option.hpp"
#include "harness/report/html_report.hpp"
#include "harness/report/reports.hpp"
#include "harness/run/runner.hpp"
#include "harness/scenario/target.hpp"
#include "harness/scoring.hpp"

#ifndef MH_VERSION
#define MH_VERSION "unknown"
#endif

namespace mh::cli {

namespace {

namespace sc = harness::scenario;

struct RunFlags {
    SuiteOptions suites;
    TargetFlags target;
    unsigned jobs = 0;
    std::string shard;  // I/N
    std::string fail_on = "must";
    std::optional<double> min_score;
    std::string junit, json, markdown, html;
    bool verbose = false;
};

std::optional<harness::run::Shard> parse_shard(const std::string& text) {
    if (text.empty()) {
        return std::nullopt;
    }
    unsigned index = 0, count = 0;
    char slash = 0;
    char extra = 0;
    if (std::sscanf(text.c_str(), "%u%c%u%c", &index, &slash, &count, &extra) != 3 ||
        slash != '/' || count == 0 || index == 0 || index > count) {
        throw CLI::ValidationError("--shard",
                                   "must be I/N with 1 <= I <= N, e.g. 2/4, not \"" + text + "\"");
    }
    return harness::run::Shard{index, count};
}

bool write_file(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    if (!out) {
        std::fprintf(stderr, "mailharness: cannot write %s\n", path.c_str());
        return false;
    }
    return true;
}

int run(const RunFlags& flags) {
    const auto fail_on = harness::parse_fail_on(flags.fail_on);
    if (!fail_on) {
        throw CLI::ValidationError("--fail-on",
                                   "must be must, should or any, not \"" + flags.fail_on + "\"");
    }
    if (flags.min_score && (*flags.min_score < 0 || *flags.min_score > 1)) {
        throw CLI::ValidationError("--min-score", "must be between 0 and 1");
    }
    harness::run::RunOptions options;
    options.selection = flags.suites.selection();
    options.shard = parse_shard(flags.shard);
    options.jobs = flags.jobs;
    options.tool_version = MH_VERSION;

    auto suites = sc::load_suites(flags.suites.resolved_paths());
    if (!suites.errors.empty()) {
        print_load_errors(stderr, suites.errors);
        return 2;
    }

    // Before any thread starts (the embedded server's, the case runners'), so that they inherit
    // the blocked signals and Ctrl-C reaches only the watcher.
    Interrupt interrupt("stopping the running cases");
    options.stop = interrupt.token();

    // The embedded default's Maildir goes at exit: fsyncs would only make every delivery wait
    // for the disk.
    ResolvedTarget target =
        resolve_target(flags.target, "run", {.store = reference::Durability::unsynced});
    if (!target) {
        return target.exit_code;
    }
    const sc::TargetProfile& profile = target.profile;

    const auto style = harness::report::console_style(stdout, flags.verbose);
    const auto selected =
        harness::run::select_cases(suites.suites, options.selection, options.shard);
    std::printf("mailharness %s: %zu cases against %s\n", MH_VERSION, selected.size(),
                profile.name.c_str());
    std::fflush(stdout);
    harness::RunResult result;
    {
        harness::report::ProgressLine progress(stdout, selected.size());
        options.on_case_done = [&](const harness::CaseResult& done) {
            progress.case_finished(done, style);
        };
        result = harness::run::run_suites(suites.suites, profile, options);
    }
    target.embedded.reset();  // stops the server and removes its Maildir
    harness::report::print_summary(stdout, result, style);
    for (const auto& waiver : result.unused_waivers) {
        std::printf("unused waiver: %s (it matched no failing case; remove it from the profile)\n",
                    waiver.c_str());
    }
    bool written = true;
    if (!flags.json.empty()) {
        written = write_file(flags.json, harness::report::render_json(result)) && written;
    }
    if (!flags.junit.empty()) {
        written = write_file(flags.junit, harness::report::render_junit(result)) && written;
    }
    if (!flags.markdown.empty()) {
        written = write_file(flags.markdown, harness::report::render_markdown(result)) && written;
    }
    if (!flags.html.empty()) {
        written = write_file(flags.html, harness::report::render_html({result}, {}, {})) && written;
    }
    if (!written) {
        return 2;
    }
    if (result.interrupted) {
        return interrupt.exit_code();
    }
    return harness::run_exit_code(result, *fail_on, flags.min_score);
}

}  // namespace

void add_run_command(CLI::App& app, CommandContext& ctx) {
    auto flags = std::make_shared<RunFlags>();
    CLI::App* command = app.add_subcommand(
        "run", "Run conversation suites against a target and score its compliance");
    flags->suites.add_to(*command, true);
    flags->target.add_to(*command, true);
    command->add_option("-j,--jobs", flags->jobs,
                        "Cases run in parallel (default: the number of cores)");
    command->add_option("--shard", flags->shard,
                        "Run the I-th of N stable slices of the cases, e.g. 2/4");
    command->add_option("--fail-on", flags->fail_on,
                        "Which failures fail the run: must (default), should, any");
    command->add_option("--min-score", flags->min_score,
                        "Pass when the overall score reaches this (0..1)");
    command->add_option("--junit", flags->junit, "Write a JUnit XML report here");
    command->add_option("--json", flags->json,
                        "Write the JSON results here (docs/report-schema.md)");
    command->add_option("--markdown", flags->markdown, "Write a Markdown summary here");
    command->add_option("--html", flags->html,
                        "Write the HTML report here (one self-contained page, docs/reports.md)");
    command->add_flag("-v,--verbose", flags->verbose, "Show the transcript of each failure");
    command->callback([flags, &ctx] { ctx.exit_code = run(*flags); });
}

}  // namespace mh::cli
