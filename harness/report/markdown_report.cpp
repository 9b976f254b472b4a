// The Markdown summary, written for CI job summaries (GitHub's $GITHUB_STEP_SUMMARY, GitLab
// comments): score, per-spec table, MUST failures first with expected / actual, transcripts in
// collapsible <details>. Kept well under GitHub's 1 MiB summary limit by capping transcripts.

#include <fmt/format.h>

#include <algorithm>

#include "harness/report/detail/matrix.hpp"
#include "harness/report/detail/presentation.hpp"
#include "harness/report/detail/utf8.hpp"
#include "harness/report/reports.hpp"
#include "harness/scoring.hpp"

namespace mh::harness::report {

namespace {

constexpr std::size_t max_transcript_lines = 100;  // the last lines: the failure is at the end
constexpr std::size_t max_transcripts = 50;        // later failures show expected / actual only

// Inline text: printable, and every character Markdown or HTML would interpret is escaped.
std::string inline_text(std::string_view text) {
    std::string out;
    for (const char c : detail::escape_bytes(text, detail::printable_char)) {
        if (std::string_view("\\`*_[]<>|#~!&").find(c) != std::string_view::npos) {
            out += '\\';
        }
        out += c == '\t' ? ' ' : c;
    }
    return out;
}

// A fenced code block whose fence is longer than any backtick run inside it.
std::string code_block(const std::vector<std::string>& lines) {
    std::size_t longest_run = 0;
    for (const std::string& line : lines) {
        std::size_t run = 0;
        for (const char c : line) {
            run = c == '`' ? run + 1 : 0;
            longest_run = std::max(longest_run, run);
        }
    }
    const std::string fence(std::max<std::size_t>(3, longest_run + 1), '`');
    std::string out = fence + "text\n";
    for (const std::string& line : lines) {
        out += detail::escape_bytes(line, detail::printable_char) + "\n";
    }
    return out + fence + "\n";
}

std::string score_row(std::string_view name, const Score& score) {
    return fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", name,
                       detail::percent(score.ratio()), score.passed, score.failed, score.waived,
                       score.skipped, score.errored);
}

constexpr std::string_view table_head = "| Pass | Fail | Waived | Skip | Error |\n";

std::string spec_table(const Scores& scores) {
    std::string out = "| Spec | Score ";
    out += table_head;
    out += "|---|---:|---:|---:|---:|---:|---:|\n";
    for (const auto& [spec, score] : scores.per_spec) {
        out += score_row(inline_text(spec.empty() ? "(no spec)" : spec), score);
    }
    return out + score_row("**Overall**", scores.overall);
}

std::string section_table(const Scores& scores) {
    std::string out = "<details><summary>Score per section</summary>\n\n| Section | Score ";
    out += table_head;
    out += "|---|---:|---:|---:|---:|---:|---:|\n";
    for (const auto& [spec, sections] : scores.per_section) {
        for (const auto& [ref, score] : sections) {
            out += score_row(inline_text(spec + " " + ref), score);
        }
    }
    return out + "\n</details>\n\n";
}

std::string transcript_details(const CaseResult& result) {
    const std::size_t total = result.transcript.size();
    const std::size_t first = total > max_transcript_lines ? total - max_transcript_lines : 0;
    std::vector<std::string> lines;
    if (first > 0) {
        lines.push_back(fmt::format("# ... {} earlier lines in the JSON results", first));
    }
    for (std::size_t i = first; i < total; ++i) {
        lines.push_back(detail::transcript_line(result.transcript[i]));
    }
    return fmt::format("<details><summary>Transcript ({} lines)</summary>\n\n{}\n</details>\n\n",
                       total, code_block(lines));
}

// One failed or errored case: heading, title, message, expected / actual, transcript.
std::string problem(const CaseResult& result, bool with_transcript) {
    std::string out = fmt::format("#### {} {} — {}\n\n{}\n\n", to_string(result.level),
                                  inline_text(result.full_id()),
                                  inline_text(detail::spec_ref(result)), inline_text(result.title));
    if (!result.message.empty()) {
        out += inline_text(result.message) + "\n\n";
    }
    if (!result.expected.empty() || !result.actual.empty()) {
        out += code_block({"expected: " + result.expected, "actual:   " + result.actual}) + "\n";
    }
    if (with_transcript && !result.transcript.empty()) {
        out += transcript_details(result);
    }
    return out;
}

std::string status_notes(const RunResult& run) {
    std::string out;
    if (run.target_unreachable) {
        out += "> **The target could not be reached**: no case reached a verdict.\n\n";
    }
    if (run.interrupted) {
        out += "> **Interrupted**: not every selected case ran.\n\n";
    }
    if (!run.shard.empty()) {
        out += fmt::format("> Partial result: shard {} of the cases.\n\n", inline_text(run.shard));
    }
    return out;
}

// "✗ 66.6% (2/3)": a mark for the cell's colour in the HTML report, the score, passed of
// applicable cases.
std::string matrix_cell(const detail::MatrixCell& cell) {
    const std::string_view kind = detail::cell_kind(cell);
    if (kind == "absent") {
        return "—";
    }
    const Score& score = cell.score;
    const std::string mark = kind == "must"      ? "✗ "
                             : kind == "error"   ? "! "
                             : kind == "partial" ? "~ "
                             : kind == "pass"    ? "✓ "
                                                 : "";
    if (score.applicable_weight == 0) {
        return mark + "n/a";
    }
    return fmt::format("{}{} ({}/{})", mark, detail::percent(score.ratio()), score.passed,
                       score.passed + score.failed + score.waived);
}

std::string matrix_head(std::string_view first, const std::vector<std::string>& labels) {
    std::string out = fmt::format("| {} |", first);
    std::string rule = "|---|";
    for (const std::string& label : labels) {
        out += " " + inline_text(label) + " |";
        rule += "---|";
    }
    return out + "\n" + rule + "\n";
}

std::string matrix_rows(const std::vector<detail::MatrixRow>& rows) {
    std::string out;
    for (const detail::MatrixRow& row : rows) {
        const std::string name = row.spec.empty() ? "(no spec)" : row.spec;
        out += "| " + inline_text(row.ref.empty() ? name : name + " " + row.ref) + " |";
        for (const detail::MatrixCell& cell : row.cells) {
            out += " " + matrix_cell(cell) + " |";
        }
        out += "\n";
    }
    return out;
}

}  // namespace

std::string render_markdown_matrix(const std::vector<RunResult>& runs,
                                   const std::vector<std::string>& labels) {
    std::string out = "## mailharness results matrix\n\n" + matrix_head("", labels);
    std::vector<Scores> scores;
    for (const RunResult& run : runs) {
        scores.push_back(compute_scores(run));
    }
    const auto row = [&](std::string_view name, const auto& value) {
        out += fmt::format("| {} |", name);
        for (const Scores& score : scores) {
            out += fmt::format(" {} |", value(score.overall));
        }
        out += "\n";
    };
    row("**Score**", [](const Score& s) { return "**" + detail::percent(s.ratio()) + "**"; });
    row("Pass", [](const Score& s) { return s.passed; });
    row("Fail", [](const Score& s) { return s.failed; });
    row("Waived", [](const Score& s) { return s.waived; });
    row("Skip", [](const Score& s) { return s.skipped; });
    row("Error", [](const Score& s) { return s.errored; });
    out += "| mailharness |";
    for (const RunResult& run : runs) {
        out += " " + inline_text(run.tool_version) + " |";
    }
    out +=
        "\n\nCells: score (passed / applicable cases); ✗ a MUST failed, ! a case could not be "
        "checked, ~ a SHOULD or MAY failed or was waived, ✓ all passed, n/a nothing "
        "applicable, — not run.\n\n### Per specification\n\n";
    out += matrix_head("Spec", labels) + matrix_rows(detail::spec_rows(runs));
    out += "\n<details><summary>Per section, MUST failures first</summary>\n\n" +
           matrix_head("Section", labels) + matrix_rows(detail::section_rows(runs)) +
           "\n</details>\n\n";

    std::string problems;
    std::size_t count = 0;
    for (const detail::CaseRow& case_row : detail::case_rows(runs)) {
        if (case_row.severity > 2) {
            continue;  // passed or skipped everywhere
        }
        ++count;
        const CaseResult& any = case_row.any();
        problems += fmt::format("| {} | {} | {} |", inline_text(case_row.full_id),
                                to_string(any.level), inline_text(detail::spec_ref(any)));
        for (const CaseResult* result : case_row.results) {
            problems += result == nullptr
                            ? " — |"
                            : fmt::format(" {} |", detail::outcome_label(result->outcome));
        }
        problems += "\n";
    }
    out += fmt::format("### Cases that did not pass everywhere ({}), MUST first\n\n", count);
    std::string head = "| Case | Level | Requirement |", rule = "|---|---|---|";
    for (const std::string& label : labels) {
        head += " " + inline_text(label) + " |";
        rule += "---|";
    }
    return out + head + "\n" + rule + "\n" + problems + "\n";
}

std::string render_markdown(const RunResult& run) {
    const Scores scores = compute_scores(run);
    const Score& overall = scores.overall;
    std::string out = fmt::format("## mailharness: {} — score {}\n\n",
                                  inline_text(run.target.name.empty() ? "target" : run.target.name),
                                  detail::percent(overall.ratio()));
    out += fmt::format(
        "**{} passed, {} failed**, {} waived, {} skipped, {} errors — {} cases in {:.1f} s{}\n\n",
        overall.passed, overall.failed, overall.waived, overall.skipped, overall.errored,
        run.cases.size(), run.duration_ms / 1000.0,
        run.started_at.empty() ? "" : ", started " + inline_text(run.started_at));
    out += status_notes(run);
    out += spec_table(scores) + "\n";
    if (!scores.per_section.empty()) {
        out += section_table(scores);
    }

    std::size_t transcripts = 0;
    for (const Outcome outcome : {Outcome::fail, Outcome::error}) {
        const std::vector<const CaseResult*> cases = detail::by_level(run, outcome);
        if (cases.empty()) {
            continue;
        }
        out += fmt::format("### {} ({})\n\n", outcome == Outcome::fail ? "Failures" : "Errors",
                           cases.size());
        for (const CaseResult* result : cases) {
            out += problem(*result, transcripts < max_transcripts);
            if (!result->transcript.empty()) {
                ++transcripts;
            }
        }
    }
    if (transcripts > max_transcripts) {
        out += fmt::format(
            "Transcripts are shown for the first {} problems; the JSON results have "
            "all of them.\n\n",
            max_transcripts);
    }

    const std::vector<const CaseResult*> waived = detail::by_level(run, Outcome::waived);
    if (!waived.empty()) {
        out += fmt::format("### Waived ({})\n\n", waived.size());
        for (const CaseResult* result : waived) {
            out += fmt::format(
                "- {} {} ({}): {}\n", to_string(result->level), inline_text(result->full_id()),
                inline_text(detail::spec_ref(*result)), inline_text(result->waiver_reason));
        }
        out += "\n";
    }
    const std::vector<const CaseResult*> skipped = detail::by_level(run, Outcome::skip);
    if (!skipped.empty()) {
        out += fmt::format("<details><summary>Skipped ({})</summary>\n\n", skipped.size());
        for (const CaseResult* result : skipped) {
            out += fmt::format("- {}: {}\n", inline_text(result->full_id()),
                               inline_text(result->message));
        }
        out += "\n</details>\n\n";
    }
    if (!run.unused_waivers.empty()) {
        out +=
            "### Unused waivers\n\nThese waivers matched no case; remove them from the target "
            "profile:\n\n";
        for (const std::string& waiver : run.unused_waivers) {
            out += "- " + inline_text(waiver) + "\n";
        }
        out += "\n";
    }
    return out;
}

}  // namespace mh::harness::report
