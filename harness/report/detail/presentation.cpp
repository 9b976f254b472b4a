#include "harness/report/detail/presentation.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "harness/report/detail/utf8.hpp"

namespace mh::harness::report::detail {

std::string spec_ref(const CaseResult& result) {
    if (result.spec.empty() || result.ref.empty()) {
        return result.spec + result.ref;
    }
    return result.spec + " " + result.ref;
}

std::string transcript_line(const TranscriptLine& line) {
    const char* prefix = "# ";
    switch (line.direction) {
        case TranscriptLine::Direction::client:
            prefix = "C: ";
            break;
        case TranscriptLine::Direction::server:
            prefix = "S: ";
            break;
        case TranscriptLine::Direction::note:
            break;
    }
    std::string out;
    if (!line.connection.empty()) {
        out = "[" + escape_bytes(line.connection, printable_char) + "] ";
    }
    return out + prefix + escape_bytes(line.text, printable_char);
}

const char* outcome_label(Outcome outcome) {
    switch (outcome) {
        case Outcome::pass:
            return "PASS";
        case Outcome::fail:
            return "FAIL";
        case Outcome::skip:
            return "SKIP";
        case Outcome::waived:
            return "WAIVED";
        case Outcome::error:
            return "ERROR";
    }
    return "?";
}

std::string outcome_reason(const CaseResult& result) {
    switch (result.outcome) {
        case Outcome::pass:
            return {};
        case Outcome::waived:
            return result.waiver_reason;
        case Outcome::fail:
            return result.message.empty()
                       ? fmt::format("expected {}, got {}", result.expected, result.actual)
                       : result.message;
        case Outcome::skip:
        case Outcome::error:
            return result.message;
    }
    return {};
}

std::string html_text(std::string_view text) {
    std::string out;
    for (const char c : escape_bytes(text, printable_char)) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string percent(double ratio) {
    // Rounded down, so that a run with one failure never shows 100.0%; the epsilon absorbs
    // binary fractions such as 0.929 * 1000 = 928.999...
    return fmt::format("{:.1f}%", std::floor(ratio * 1000.0 + 1e-9) / 10.0);
}

std::vector<const CaseResult*> by_level(const RunResult& run, Outcome outcome) {
    std::vector<const CaseResult*> selected;
    for (const CaseResult& result : run.cases) {
        if (result.outcome == outcome) {
            selected.push_back(&result);
        }
    }
    // Level's enumerators run MUST, SHOULD, MAY: the severity order.
    std::stable_sort(selected.begin(), selected.end(),
                     [](const CaseResult* a, const CaseResult* b) { return a->level < b->level; });
    return selected;
}

}  // namespace mh::harness::report::detail
