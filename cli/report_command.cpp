// `mailharness report`: work on JSON run results after a run.
//   report render RESULTS.json --format json|junit|markdown|console [--out FILE]
//   report merge A.json B.json ... [--out merged.json]   (shards of one split, or reruns)
//   report check RESULTS.json [--fail-on must|should|any] [--min-score R]   (exit code of a run)
// Bad usage, unreadable or invalid files and conflicting parts exit 2 with the reason on stderr.

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "harness/report/reports.hpp"
#include "harness/scoring.hpp"

namespace mh::cli {

namespace {

namespace report = harness::report;

std::string read_file(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        throw std::runtime_error(fmt::format("cannot read {}: {}", path, std::strerror(errno)));
    }
    std::ostringstream text;
    text << file.rdbuf();
    return text.str();
}

harness::RunResult load(const std::string& path) {
    return report::parse_json(read_file(path), path);
}

// Writes to `path`, or to standard output when it is empty or "-".
void write_output(const std::string& path, const std::string& text) {
    if (path.empty() || path == "-") {
        std::fwrite(text.data(), 1, text.size(), stdout);
        return;
    }
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    file << text;
    file.close();
    if (!file) {
        throw std::runtime_error(fmt::format("cannot write {}: {}", path, std::strerror(errno)));
    }
}

// Runs a subcommand's work; a failure is reported on stderr and exits 2 (bad input).
template <typename Work>
void guarded(CommandContext& ctx, const char* name, Work&& work) {
    try {
        ctx.exit_code = work();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "mailharness report %s: %s\n", name, e.what());
        ctx.exit_code = 2;
    }
}

std::string console_text(const harness::RunResult& run) {
    char* buffer = nullptr;
    std::size_t size = 0;
    std::FILE* out = open_memstream(&buffer, &size);
    if (out == nullptr) {
        throw std::runtime_error("out of memory");
    }
    const report::ConsoleStyle style{.color = false, .verbose = true};
    for (const harness::CaseResult& result : run.cases) {
        report::print_case_line(out, result, style);
    }
    report::print_summary(out, run, style);
    std::fclose(out);
    std::string text(buffer, size);
    std::free(buffer);
    return text;
}

std::string render(const harness::RunResult& run, const std::string& format) {
    if (format == "json") {
        return report::render_json(run);
    }
    if (format == "junit") {
        return report::render_junit(run);
    }
    if (format == "markdown") {
        return report::render_markdown(run);
    }
    return console_text(run);
}

void add_render(CLI::App& parent, CommandContext& ctx) {
    struct Options {
        std::string input, format, out;
    };
    auto options = std::make_shared<Options>();
    auto* render_app = parent.add_subcommand(
        "render",
        "Render JSON results as another report\n"
        "  e.g. mailharness report render results.json --format junit --out junit.xml");
    render_app->add_option("results", options->input, "JSON results (mailharness run --json)")
        ->required();
    render_app->add_option("--format", options->format, "json, junit, markdown or console")
        ->required()
        ->check(CLI::IsMember({"json", "junit", "markdown", "console"}));
    render_app->add_option("--out", options->out, "output file (default: standard output)");
    render_app->callback([options, &ctx] {
        guarded(ctx, "render", [&] {
            write_output(options->out, render(load(options->input), options->format));
            return 0;
        });
    });
}

void add_merge(CLI::App& parent, CommandContext& ctx) {
    struct Options {
        std::vector<std::string> inputs;
        std::string out;
    };
    auto options = std::make_shared<Options>();
    auto* merge_app =
        parent.add_subcommand("merge",
                              "Join the JSON results of shards (or reruns) into one\n"
                              "  e.g. mailharness report merge shard-*.json --out results.json");
    merge_app->add_option("results", options->inputs, "JSON results to join")->required();
    merge_app->add_option("--out", options->out, "output file (default: standard output)");
    merge_app->callback([options, &ctx] {
        guarded(ctx, "merge", [&] {
            std::vector<harness::RunResult> parts;
            for (const std::string& input : options->inputs) {
                parts.push_back(load(input));
            }
            write_output(options->out, report::render_json(report::merge(parts, options->inputs)));
            return 0;
        });
    });
}

void add_check(CLI::App& parent, CommandContext& ctx) {
    struct Options {
        std::string input, fail_on = "any";
        std::optional<double> min_score;
    };
    auto options = std::make_shared<Options>();
    auto* check_app = parent.add_subcommand(
        "check",
        "Print the summary of JSON results and exit as the run would have\n"
        "  (0 passed, 1 compliance failures, 3 target unreachable); after a merge\n"
        "  e.g. mailharness report check results.json --fail-on must --min-score 0.9");
    check_app->add_option("results", options->input, "JSON results")->required();
    check_app->add_option("--fail-on", options->fail_on, "must, should or any (default any)")
        ->check(CLI::IsMember({"must", "should", "any"}));
    check_app->add_option("--min-score", options->min_score, "pass when the score reaches it")
        ->check(CLI::Range(0.0, 1.0));
    check_app->callback([options, &ctx] {
        guarded(ctx, "check", [&] {
            const harness::RunResult run = load(options->input);
            report::print_summary(stdout, run, report::console_style(stdout, false));
            return harness::run_exit_code(run, *harness::parse_fail_on(options->fail_on),
                                          options->min_score);
        });
    });
}

}  // namespace

void add_report_command(CLI::App& app, CommandContext& ctx) {
    auto* report_app = app.add_subcommand("report", "Render, merge and check JSON run results");
    report_app->require_subcommand(1);
    add_render(*report_app, ctx);
    add_merge(*report_app, ctx);
    add_check(*report_app, ctx);
}

}  // namespace mh::cli
