// `mailharness diff`: the cases whose outcome or reply classes differ between two runs.
//   diff --target A --target B [SUITES...] [selection]   runs the suites against both targets
//                                                        (a profile file, or `embedded`)
//   diff A.json B.json                                   compares two results files
// Writes the differences to the terminal (transcripts side by side), and with --markdown /
// --html to files. Exit codes: 0 no difference, 1 differences, 2 bad usage or files, 3 a
// target could not be reached.
#include <fmt/format.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/suite_options.hpp"
#include "cli/target_option.hpp"
#include "harness/diff/diff_report.hpp"
#include "harness/diff/run_diff.hpp"
#include "harness/report/reports.hpp"
#include "harness/run/runner.hpp"
#include "harness/scenario/target.hpp"

#ifndef MH_VERSION
#define MH_VERSION "unknown"
#endif

namespace mh::cli {

namespace {

namespace sc = harness::scenario;

struct DiffFlags {
    SuiteOptions suites;  // suite paths, or the two results files
    std::vector<std::string> targets;
    unsigned jobs = 0;
    std::string markdown, html;
};

// A usage or input problem: exit 2 with this message.
struct BadInput : std::runtime_error {
    using std::runtime_error::runtime_error;
};

std::string read_file(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        throw BadInput(fmt::format("cannot read {}", path));
    }
    std::ostringstream text;
    text << file.rdbuf();
    return text.str();
}

void write_file(const std::string& path, const std::string& text) {
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    file << text;
    file.close();
    if (!file) {
        throw BadInput(fmt::format("cannot write {}", path));
    }
}

std::size_t terminal_width() {
    winsize size{};
    if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) {
        return size.ws_col;
    }
    if (const char* columns = std::getenv("COLUMNS")) {
        const long value = std::strtol(columns, nullptr, 10);
        if (value > 0) {
            return static_cast<std::size_t>(value);
        }
    }
    return 160;
}

// Runs the suites against one target: `embedded` (the reference in-process) or a profile file.
harness::RunResult run_against(const std::string& target, const std::vector<sc::Suite>& suites,
                               const harness::run::RunOptions& options) {
    std::fprintf(stderr, "mailharness diff: running against %s\n", target.c_str());
    TargetFlags flags;
    if (target != "embedded") {
        flags.file = target;
    }
    const ResolvedTarget resolved =
        resolve_target(flags, "diff", {.store = reference::Durability::unsynced});
    if (resolved.exit_code == 2) {
        throw BadInput("bad target profile " + target);
    }
    if (!resolved) {
        throw std::runtime_error("the embedded reference did not start");
    }
    return harness::run::run_suites(suites, resolved.profile, options);
}

// Both runs, and the labels their columns get.
struct Runs {
    harness::RunResult a, b;
    harness::diff::DiffLabels labels;
};

Runs load_runs(const DiffFlags& flags) {
    if (flags.targets.size() == 2) {
        harness::run::RunOptions options;
        options.selection = flags.suites.selection();
        options.jobs = flags.jobs;
        options.tool_version = MH_VERSION;
        auto suites = sc::load_suites(flags.suites.resolved_paths());
        if (!suites.errors.empty()) {
            print_load_errors(stderr, suites.errors);
            throw BadInput("the suites have errors");
        }
        Runs runs{run_against(flags.targets[0], suites.suites, options),
                  run_against(flags.targets[1], suites.suites, options),
                  {}};
        runs.labels = {flags.targets[0], flags.targets[1]};
        if (runs.labels.a == runs.labels.b) {
            runs.labels.b += " #2";
        }
        return runs;
    }
    if (!flags.targets.empty() || flags.suites.paths.size() != 2) {
        throw BadInput(
            "give two targets (--target A --target B [SUITES...]) or two results files "
            "(A.json B.json)");
    }
    const std::string& a = flags.suites.paths[0];
    const std::string& b = flags.suites.paths[1];
    try {
        return Runs{harness::report::parse_json(read_file(a), a),
                    harness::report::parse_json(read_file(b), b),
                    {a, b}};
    } catch (const std::runtime_error& e) {
        throw BadInput(e.what());
    }
}

int diff(const DiffFlags& flags) {
    const Runs runs = load_runs(flags);
    const harness::diff::RunDiff result = harness::diff::diff_runs(runs.a, runs.b);
    const std::string text =
        harness::diff::render_diff_console(result, runs.labels, terminal_width());
    std::fwrite(text.data(), 1, text.size(), stdout);
    if (!flags.markdown.empty()) {
        write_file(flags.markdown, harness::diff::render_diff_markdown(result, runs.labels));
    }
    if (!flags.html.empty()) {
        write_file(flags.html, harness::diff::render_diff_html(result, runs.labels));
    }
    for (const auto* run : {&runs.a, &runs.b}) {
        if (run->target_unreachable) {
            std::fprintf(stderr, "mailharness diff: %s could not be reached\n",
                         run == &runs.a ? runs.labels.a.c_str() : runs.labels.b.c_str());
            return 3;
        }
    }
    return result.cases.empty() ? 0 : 1;
}

}  // namespace

void add_diff_command(CLI::App& app, CommandContext& ctx) {
    auto flags = std::make_shared<DiffFlags>();
    CLI::App* command = app.add_subcommand(
        "diff",
        "Cases whose outcome or reply classes differ between two targets or two results files\n"
        "  e.g. mailharness diff --target embedded --target suites/targets/postfix.yaml "
        "suites/smtp\n"
        "       mailharness diff old.json new.json --markdown diff.md --html diff.html\n"
        "  Exit: 0 no difference, 1 differences, 2 bad usage or files, 3 target unreachable");
    flags->suites.add_to(*command, true);
    command
        ->add_option("--target", flags->targets,
                     "A target profile (YAML) or `embedded`; give it twice")
        ->allow_extra_args(false)  // one value each: what follows is a suite path
        ->take_all();
    command->add_option("-j,--jobs", flags->jobs,
                        "Cases run in parallel (default: the number of cores)");
    command->add_option("--markdown", flags->markdown, "Also write the differences as Markdown");
    command->add_option("--html", flags->html, "Also write the differences as an HTML page");
    command->callback([flags, &ctx] {
        try {
            ctx.exit_code = diff(*flags);
        } catch (const BadInput& e) {
            std::fprintf(stderr, "mailharness diff: %s\n", e.what());
            ctx.exit_code = 2;
        } catch (const std::exception& e) {
            std::fprintf(stderr, "mailharness diff: %s\n", e.what());
            ctx.exit_code = 3;
        }
    });
}

}  // namespace mh::cli
