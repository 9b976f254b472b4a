// The console report: one line per case as cases finish, then a summary table and the failures
// (MUST first) with expected / actual / transcript. Everything a peer sent is escaped to
// printable characters first, so a hostile server cannot drive the terminal (ESC sequences).

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "harness/report/detail/presentation.hpp"
#include "harness/report/detail/utf8.hpp"
#include "harness/report/reports.hpp"
#include "harness/scoring.hpp"

namespace mh::harness::report {

namespace {

constexpr std::size_t summary_transcript_lines = 20;  // the last lines, unless verbose
// A terminal line; a 16 KB reply line says no more in full than in its first 300 columns, and
// the JSON results keep every byte.
constexpr std::size_t max_line_columns = 300;

std::string printable(std::string_view text) {
    return detail::escape_bytes(text, detail::printable_char);
}

const char* ansi_colour(Outcome outcome) {
    switch (outcome) {
        case Outcome::pass:
            return "\x1b[32m";
        case Outcome::fail:
            return "\x1b[1;31m";
        case Outcome::skip:
            return "\x1b[33m";
        case Outcome::waived:
            return "\x1b[36m";
        case Outcome::error:
            return "\x1b[1;35m";
    }
    return "";
}

std::string coloured_label(Outcome outcome, const ConsoleStyle& style) {
    const std::string padded = fmt::format("{:<6}", detail::outcome_label(outcome));
    return style.color ? fmt::format("{}{}\x1b[0m", ansi_colour(outcome), padded) : padded;
}

// `text` cut to max_line_columns at a UTF-8 boundary, saying how much was left out.
std::string clipped(std::string text) {
    if (text.size() <= max_line_columns) {
        return text;
    }
    std::size_t cut = max_line_columns;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) {
        --cut;  // not inside a multi-byte character
    }
    const std::size_t left_out = text.size() - cut;
    text.resize(cut);
    return text + fmt::format(" ... ({} more bytes in the JSON results)", left_out);
}

// expected / actual and the transcript (its last `max_lines` lines), indented under a case.
void print_details(std::FILE* out, const CaseResult& result, std::size_t max_lines) {
    if (!result.expected.empty() || !result.actual.empty()) {
        fmt::print(out, "    expected: {}\n    actual:   {}\n", clipped(printable(result.expected)),
                   clipped(printable(result.actual)));
    }
    if (result.transcript.empty()) {
        return;
    }
    const std::size_t total = result.transcript.size();
    const std::size_t first = total > max_lines ? total - max_lines : 0;
    fmt::print(out, "    transcript:\n");
    if (first > 0) {
        fmt::print(out, "      # ... {} earlier lines (--verbose or the JSON results)\n", first);
    }
    for (std::size_t i = first; i < total; ++i) {
        fmt::print(out, "      {}\n", clipped(detail::transcript_line(result.transcript[i])));
    }
}

void print_score_table(std::FILE* out, const Scores& scores) {
    std::size_t width = std::string_view("Overall").size();
    for (const auto& [spec, score] : scores.per_spec) {
        width = std::max(width, printable(spec).size());
    }
    const auto row = [&](std::string_view name, const Score& score) {
        fmt::print(out, "  {:<{}}  {:>6}  {:>5}  {:>5}  {:>6}  {:>5}  {:>5}\n", name, width,
                   detail::percent(score.ratio()), score.passed, score.failed, score.waived,
                   score.skipped, score.errored);
    };
    fmt::print(out, "  {:<{}}  {:>6}  {:>5}  {:>5}  {:>6}  {:>5}  {:>5}\n", "Spec", width, "Score",
               "Pass", "Fail", "Waived", "Skip", "Error");
    for (const auto& [spec, score] : scores.per_spec) {
        row(printable(spec), score);
    }
    row("Overall", scores.overall);
}

}  // namespace

bool is_terminal(std::FILE* out) {
    return isatty(fileno(out)) != 0;
}

ConsoleStyle console_style(std::FILE* out, bool verbose) {
    const char* no_color = std::getenv("NO_COLOR");
    const bool colour_allowed = no_color == nullptr || *no_color == '\0';
    return ConsoleStyle{colour_allowed && is_terminal(out), verbose};
}

void print_case_line(std::FILE* out, const CaseResult& result, const ConsoleStyle& style) {
    const std::string why = detail::outcome_reason(result);
    fmt::print(out, "{} {}  {}  {}  {:.0f} ms{}\n", coloured_label(result.outcome, style),
               printable(result.full_id()), printable(detail::spec_ref(result)),
               to_string(result.level), result.duration_ms,
               why.empty() ? "" : "  -- " + printable(why));
    if (style.verbose && (result.outcome == Outcome::fail || result.outcome == Outcome::error)) {
        print_details(out, result, result.transcript.size());
    }
}

void print_summary(std::FILE* out, const RunResult& run, const ConsoleStyle& style) {
    const Scores scores = compute_scores(run);
    const Score& overall = scores.overall;
    fmt::print(out,
               "\nScore {} against {}: {} passed, {} failed, {} waived, {} skipped, {} errors "
               "({} cases, {:.1f} s)\n",
               detail::percent(overall.ratio()),
               printable(run.target.name.empty() ? "the target" : run.target.name), overall.passed,
               overall.failed, overall.waived, overall.skipped, overall.errored, run.cases.size(),
               run.duration_ms / 1000.0);
    if (run.target_unreachable) {
        fmt::print(out, "The target could not be reached.\n");
    }
    if (run.interrupted) {
        fmt::print(out, "Interrupted: not every selected case ran.\n");
    }
    if (!run.shard.empty()) {
        fmt::print(out, "Partial result: shard {}.\n", printable(run.shard));
    }
    print_score_table(out, scores);

    const std::size_t max_lines = style.verbose ? SIZE_MAX : summary_transcript_lines;
    for (const Outcome outcome : {Outcome::fail, Outcome::error}) {
        const std::vector<const CaseResult*> cases = detail::by_level(run, outcome);
        if (cases.empty()) {
            continue;
        }
        fmt::print(out, "\n{} (MUST first):\n", outcome == Outcome::fail ? "Failures" : "Errors");
        for (const CaseResult* result : cases) {
            fmt::print(out, "{} {} {} ({}): {}\n", coloured_label(outcome, style),
                       to_string(result->level), printable(result->full_id()),
                       printable(detail::spec_ref(*result)), printable(result->title));
            if (!result->message.empty()) {
                fmt::print(out, "    {}\n", printable(result->message));
            }
            print_details(out, *result, max_lines);
        }
    }
    if (!run.unused_waivers.empty()) {
        fmt::print(out, "\nUnused waivers (they matched no case; remove them from the profile):\n");
        for (const std::string& waiver : run.unused_waivers) {
            fmt::print(out, "  {}\n", printable(waiver));
        }
    }
}

ProgressLine::ProgressLine(std::FILE* out, std::size_t total_cases)
    : out_(out),
      active_(is_terminal(out)),
      total_(total_cases),
      started_(std::chrono::steady_clock::now()) {}

ProgressLine::~ProgressLine() {
    const std::lock_guard lock(mutex_);
    erase();
}

void ProgressLine::case_finished(const CaseResult& result, const ConsoleStyle& style) {
    const std::lock_guard lock(mutex_);
    erase();
    print_case_line(out_, result, style);
    ++done_;
    if (result.outcome == Outcome::fail) {
        ++failed_;
    } else if (result.outcome == Outcome::error) {
        ++errored_;
    }
    if (active_ && done_ < total_) {
        const auto elapsed = std::chrono::duration_cast<std::chrono::seconds>(
            std::chrono::steady_clock::now() - started_);
        fmt::print(out_, "[{}/{}] {} failed, {} errors, {} s", done_, total_, failed_, errored_,
                   elapsed.count());
        shown_ = true;
    }
    std::fflush(out_);
}

void ProgressLine::erase() {
    if (shown_) {
        fmt::print(out_, "\r\x1b[K");
        shown_ = false;
    }
}

}  // namespace mh::harness::report
