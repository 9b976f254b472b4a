#include "harness/diff/diff_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "harness/report/detail/presentation.hpp"
#include "harness/report/detail/utf8.hpp"
#include "harness/report/html_report.hpp"

namespace mh::harness::diff {

namespace {

namespace detail = report::detail;

constexpr std::size_t max_markdown_lines = 100;  // per transcript: its last lines

std::string printable(std::string_view text) {
    return detail::escape_bytes(text, detail::printable_char);
}

// Code points of printable UTF-8 text (every byte that does not continue a sequence).
std::size_t columns_of(std::string_view text) {
    return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    }));
}

// At most `width` columns: a longer text is cut, its last column "…".
std::string cut(std::string_view text, std::size_t width) {
    if (columns_of(text) <= width) {
        return std::string(text);
    }
    std::string out;
    std::size_t used = 0;
    for (const char c : text) {
        const bool starts = (static_cast<unsigned char>(c) & 0xC0) != 0x80;
        if (starts && ++used == width) {
            break;
        }
        out += c;
    }
    return out + "…";
}

// Exactly `width` columns: cut, or padded with spaces.
std::string pad(std::string_view text, std::size_t width) {
    std::string out = cut(text, width);
    return out + std::string(width - columns_of(out), ' ');
}

std::string classes_text(const std::optional<CaseResult>& result) {
    if (!result) {
        return "";
    }
    std::string out;
    for (const std::string& reply_class : reply_classes(*result)) {
        out += (out.empty() ? "" : " ") + reply_class;
    }
    return out.empty() ? "(none)" : out;
}

std::string outcome_text(const std::optional<CaseResult>& result) {
    if (!result) {
        return "not run";
    }
    const std::string why = detail::outcome_reason(*result);
    return std::string(detail::outcome_label(result->outcome)) + (why.empty() ? "" : " -- " + why);
}

std::vector<std::string> transcript_lines(const std::optional<CaseResult>& result) {
    std::vector<std::string> lines;
    if (result) {
        for (const TranscriptLine& line : result->transcript) {
            lines.push_back(detail::transcript_line(line));
        }
    }
    return lines;
}

const CaseResult& either(const CaseDiff& diff) {
    return diff.a ? *diff.a : *diff.b;
}

std::string difference_text(const CaseDiff& diff, const DiffLabels& labels) {
    switch (diff.difference) {
        case Difference::only_in_a:
            return "only run against " + labels.a;
        case Difference::only_in_b:
            return "only run against " + labels.b;
        case Difference::outcome:
            return fmt::format("outcome {} vs {}", detail::outcome_label(diff.a->outcome),
                               detail::outcome_label(diff.b->outcome));
        case Difference::reply_classes:
            return fmt::format("reply classes {} vs {}", classes_text(diff.a),
                               classes_text(diff.b));
    }
    return {};
}

// The page's runs: the differing cases of each side (a run per side, as the report expects).
RunResult side(const RunDiff& diff, const std::string& label, bool left) {
    RunResult run;
    run.target.name = label;
    for (const CaseDiff& case_diff : diff.cases) {
        if (const auto& result = left ? case_diff.a : case_diff.b) {
            run.cases.push_back(*result);
        }
    }
    return run;
}

}  // namespace

std::string diff_summary(const RunDiff& diff) {
    if (diff.cases.empty()) {
        return fmt::format("no difference in {} cases", diff.compared);
    }
    std::map<Difference, std::size_t> kinds;  // in the enumeration's order
    for (const CaseDiff& case_diff : diff.cases) {
        ++kinds[case_diff.difference];
    }
    std::string parts;
    for (const auto& [kind, count] : kinds) {
        parts += fmt::format("{}{} {}", parts.empty() ? "" : ", ", count, to_string(kind));
    }
    const auto one_sided = std::count_if(diff.cases.begin(), diff.cases.end(),
                                         [](const CaseDiff& c) { return !c.a || !c.b; });
    return fmt::format("{} of {} cases differ ({})", diff.cases.size(),
                       diff.compared + static_cast<std::size_t>(one_sided), parts);
}

std::string render_diff_console(const RunDiff& diff, const DiffLabels& labels, std::size_t width) {
    const std::size_t half = std::max<std::size_t>(20, (width - 3) / 2);
    std::string out;
    for (const CaseDiff& case_diff : diff.cases) {
        const CaseResult& any = either(case_diff);
        out += fmt::format("DIFF   {}  {}  {}  -- {}\n", printable(case_diff.full_id),
                           printable(detail::spec_ref(any)), to_string(any.level),
                           printable(difference_text(case_diff, labels)));
        const auto row = [&](const std::string& left, const std::string& right) {
            out +=
                "  " + pad(printable(left), half - 2) + " | " + cut(printable(right), half) + "\n";
        };
        row(labels.a + ": " + outcome_text(case_diff.a),
            labels.b + ": " + outcome_text(case_diff.b));
        row("replies: " + classes_text(case_diff.a), "replies: " + classes_text(case_diff.b));
        const std::vector<std::string> left = transcript_lines(case_diff.a);
        const std::vector<std::string> right = transcript_lines(case_diff.b);
        for (std::size_t i = 0; i < std::max(left.size(), right.size()); ++i) {
            row(i < left.size() ? left[i] : "", i < right.size() ? right[i] : "");
        }
        out += "\n";
    }
    return out + fmt::format("{}: {} vs {}\n", diff_summary(diff), printable(labels.a),
                             printable(labels.b));
}

std::string render_diff_markdown(const RunDiff& diff, const DiffLabels& labels) {
    using detail::html_text;
    std::string out = fmt::format("## mailharness diff: {} vs {}\n\n{}.\n\n", html_text(labels.a),
                                  html_text(labels.b), diff_summary(diff));
    if (diff.cases.empty()) {
        return out;
    }
    out += fmt::format("| Case | Level | Requirement | {} | {} | Difference |\n",
                       html_text(labels.a), html_text(labels.b));
    out += "|---|---|---|---|---|---|\n";
    for (const CaseDiff& case_diff : diff.cases) {
        const CaseResult& any = either(case_diff);
        out += fmt::format("| {} | {} | {} | {} | {} | {} |\n", html_text(case_diff.full_id),
                           to_string(any.level), html_text(detail::spec_ref(any)),
                           case_diff.a ? detail::outcome_label(case_diff.a->outcome) : "—",
                           case_diff.b ? detail::outcome_label(case_diff.b->outcome) : "—",
                           html_text(difference_text(case_diff, labels)));
    }
    out += "\n";
    // Transcripts side by side: an HTML table, which GitHub and GitLab render in Markdown.
    const auto cell = [&](const std::optional<CaseResult>& result) {
        std::vector<std::string> lines = transcript_lines(result);
        std::string text;
        if (lines.size() > max_markdown_lines) {
            text = fmt::format("# ... {} earlier lines\n", lines.size() - max_markdown_lines);
            lines.erase(lines.begin(), lines.end() - max_markdown_lines);
        }
        for (const std::string& line : lines) {
            text += html_text(line) + "\n";
        }
        return "<td><pre>" + html_text(outcome_text(result)) + "\n\n" + text + "</pre></td>";
    };
    for (const CaseDiff& case_diff : diff.cases) {
        out += fmt::format(
            "<details><summary>{} ({})</summary>\n\n<table><tr><th>{}</th><th>{}</th></tr>"
            "<tr>{}{}</tr></table>\n\n</details>\n\n",
            html_text(case_diff.full_id), html_text(difference_text(case_diff, labels)),
            html_text(labels.a), html_text(labels.b), cell(case_diff.a), cell(case_diff.b));
    }
    return out;
}

std::string render_diff_html(const RunDiff& diff, const DiffLabels& labels) {
    report::HtmlOptions options;
    options.title = "mailharness diff: " + labels.a + " vs " + labels.b;
    options.note = diff_summary(diff) + ".";
    options.scores = false;
    options.labels = {labels.a, labels.b};
    return report::render_html({side(diff, labels.a, true), side(diff, labels.b, false)}, {},
                               options);
}

}  // namespace mh::harness::diff
