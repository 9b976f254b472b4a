// `mailharness report`: work on JSON run results after a run.
//   report render RESULTS.json --format json|junit|markdown|console|html [--out FILE]
//   report render A.json B.json ... --format html|markdown   (a matrix: one column per file;
//                                    html also takes bench JSON files, charted below)
//   report merge A.json B.json ... [--out merged.json]   (shards of one split, or reruns)
//   report check RESULTS.json [--fail-on must|should|any] [--min-score R]   (exit code of a run)
// Bad usage, unreadable or invalid files and conflicting parts exit 2 with the reason on stderr.

#include <fmt/format.h>

#include <nlohmann/json.hpp>

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
#include "harness/report/html_report.hpp"
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

struct RenderOptions {
    std::vector<std::string> inputs;
    std::string format, out, title, transcripts = "all";
};

// Run results and bench results (told apart by the bench JSON's "kind"), in argument order.
struct Inputs {
    std::vector<harness::RunResult> runs;
    std::vector<harness::bench::Report> benches;
};

Inputs load_inputs(const std::vector<std::string>& paths) {
    Inputs inputs;
    for (const std::string& path : paths) {
        const std::string text = read_file(path);
        const auto json = nlohmann::json::parse(text, nullptr, false);
        if (json.is_object() && json.value("kind", "") == "mailharness-bench") {
            try {
                inputs.benches.push_back(harness::bench::report_from_json(json));
            } catch (const std::exception& e) {
                throw std::runtime_error(fmt::format("{}: {}", path, e.what()));
            }
        } else {
            inputs.runs.push_back(report::parse_json(text, path));
        }
    }
    return inputs;
}

std::string render(const RenderOptions& options) {
    const Inputs inputs = load_inputs(options.inputs);
    if (options.format == "html") {
        report::HtmlOptions html;
        html.transcripts = options.transcripts == "problems" ? report::TranscriptScope::problems
                                                             : report::TranscriptScope::all;
        if (!options.title.empty()) {
            html.title = options.title;
        }
        return report::render_html(inputs.runs, inputs.benches, html);
    }
    if (!inputs.benches.empty()) {
        throw std::runtime_error("bench results render only as --format html");
    }
    if (inputs.runs.size() > 1) {
        if (options.format != "markdown") {
            throw std::runtime_error(fmt::format(
                "{} results files given: several render side by side only as --format html or "
                "markdown (to join shards of one run, use `mailharness report merge`)",
                inputs.runs.size()));
        }
        return report::render_markdown_matrix(inputs.runs, report::run_labels(inputs.runs));
    }
    const harness::RunResult& run = inputs.runs.front();
    if (options.format == "json") {
        return report::render_json(run);
    }
    if (options.format == "junit") {
        return report::render_junit(run);
    }
    if (options.format == "markdown") {
        return report::render_markdown(run);
    }
    return console_text(run);
}

void add_render(CLI::App& parent, CommandContext& ctx) {
    auto options = std::make_shared<RenderOptions>();
    auto* render_app = parent.add_subcommand(
        "render",
        "Render JSON results as another report; several files side by side (html, markdown)\n"
        "  e.g. mailharness report render results.json --format junit --out junit.xml\n"
        "       mailharness report render results.json --format html --out report.html\n"
        "       mailharness report render a.json b.json bench.json --format html --out "
        "matrix.html");
    render_app
        ->add_option("results", options->inputs,
                     "JSON results (mailharness run --json); bench JSON for html")
        ->required();
    render_app->add_option("--format", options->format, "json, junit, markdown, console or html")
        ->required()
        ->check(CLI::IsMember({"json", "junit", "markdown", "console", "html"}));
    render_app->add_option("--out", options->out, "output file (default: standard output)");
    render_app->add_option("--title", options->title, "html: the page title");
    render_app
        ->add_option("--transcripts", options->transcripts,
                     "html: transcripts of all cases (default) or only of problems")
        ->check(CLI::IsMember({"all", "problems"}));
    render_app->callback([options, &ctx] {
        guarded(ctx, "render", [&] {
            write_output(options->out, render(*options));
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
