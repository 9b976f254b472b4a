// JUnit XML as Jenkins and GitLab read it (the schema Jenkins' xUnit plugin publishes as
// junit-10.xsd; tests/harness/data/junit.xsd checks our output against its structure): one
// <testsuite> per suite, one <testcase> per case, <failure>, <skipped>, <error>.

#include <fmt/format.h>

#include <cctype>
#include <map>

#include "harness/report/detail/presentation.hpp"
#include "harness/report/detail/utf8.hpp"
#include "harness/report/reports.hpp"

namespace mh::harness::report {

namespace {

// Character data: XML 1.0 cannot carry most control characters even as references (section
// 2.2), so they become \xHH; markup characters become entities, which also defuses "]]>".
std::string xml_text(std::string_view text) {
    std::string out;
    for (const char c : detail::escape_bytes(text, detail::xml_char)) {
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
            default:
                out += c;
        }
    }
    return out;
}

// Attribute values: also quotes, and TAB / LF / CR as references, because a parser normalises
// literal ones to spaces (XML 1.0 section 3.3.3).
std::string xml_attribute(std::string_view text) {
    std::string out;
    for (const char c : xml_text(text)) {
        switch (c) {
            case '"':
                out += "&quot;";
                break;
            case '\t':
                out += "&#9;";
                break;
            case '\n':
                out += "&#10;";
                break;
            case '\r':
                out += "&#13;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string seconds(double milliseconds) {
    return fmt::format("{:.3f}", milliseconds / 1000.0);
}

// The schema's timestamp is an xs:dateTime without zone or fraction: "2026-11-26T17:02:10".
// Our started_at is UTC, so the zone can go; anything unexpected is left out (it is optional).
std::string junit_timestamp(const std::string& started_at) {
    constexpr std::string_view shape = "dddd-dd-ddTdd:dd:dd";
    if (started_at.size() < shape.size()) {
        return {};
    }
    for (std::size_t i = 0; i < shape.size(); ++i) {
        const bool digit = std::isdigit(static_cast<unsigned char>(started_at[i])) != 0;
        if (shape[i] == 'd' ? !digit : started_at[i] != shape[i]) {
            return {};
        }
    }
    return started_at.substr(0, shape.size());
}

struct Counts {
    int tests = 0, failures = 0, errors = 0, skipped = 0;
    double milliseconds = 0;

    void add(const CaseResult& result) {
        ++tests;
        failures += result.outcome == Outcome::fail ? 1 : 0;
        errors += result.outcome == Outcome::error ? 1 : 0;
        skipped += result.outcome == Outcome::skip || result.outcome == Outcome::waived ? 1 : 0;
        milliseconds += result.duration_ms;
    }
};

// The element body: what was checked, expected / actual, and the transcript.
std::string details(const CaseResult& result) {
    std::string body =
        fmt::format("{} {}: {}\n", detail::spec_ref(result), to_string(result.level), result.title);
    if (!result.message.empty()) {
        body += result.message + "\n";
    }
    if (!result.expected.empty() || !result.actual.empty()) {
        body += fmt::format("expected: {}\nactual:   {}\n", result.expected, result.actual);
    }
    if (result.failed_step) {
        body += fmt::format("failed at step {}\n", *result.failed_step + 1);
    }
    if (!result.transcript.empty()) {
        body += "\ntranscript:\n";
        for (const TranscriptLine& line : result.transcript) {
            body += detail::transcript_line(line) + "\n";
        }
    }
    return xml_text(body);
}

std::string failure_message(const CaseResult& result) {
    if (!result.message.empty()) {
        return result.message;
    }
    return fmt::format("expected {}, got {}", result.expected, result.actual);
}

std::string testcase(const CaseResult& result) {
    std::string out = fmt::format("    <testcase name=\"{}\" classname=\"{}\" time=\"{}\"",
                                  xml_attribute(result.id + " (" + detail::spec_ref(result) + ")"),
                                  xml_attribute(result.suite), seconds(result.duration_ms));
    switch (result.outcome) {
        case Outcome::pass:
            return out + "/>\n";
        case Outcome::fail:
            out += fmt::format(">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n",
                               xml_attribute(failure_message(result)), to_string(result.level),
                               details(result));
            break;
        case Outcome::waived:
            out += fmt::format(">\n      <skipped message=\"{}\">{}</skipped>\n",
                               xml_attribute("waived: " + result.waiver_reason), details(result));
            break;
        case Outcome::skip:
            out +=
                fmt::format(">\n      <skipped message=\"{}\"/>\n", xml_attribute(result.message));
            break;
        case Outcome::error:
            out += fmt::format(">\n      <error message=\"{}\" type=\"error\">{}</error>\n",
                               xml_attribute(result.message), details(result));
            break;
    }
    return out + "    </testcase>\n";
}

}  // namespace

std::string render_junit(const RunResult& run) {
    // Suites in the order they first appear in the run.
    std::vector<std::string> suite_order;
    std::map<std::string, std::vector<const CaseResult*>> suites;
    Counts total;
    for (const CaseResult& result : run.cases) {
        auto& cases = suites[result.suite];
        if (cases.empty()) {
            suite_order.push_back(result.suite);
        }
        cases.push_back(&result);
        total.add(result);
    }

    const std::string timestamp = junit_timestamp(run.started_at);
    std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    out += fmt::format(
        "<testsuites name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" time=\"{}\">\n",
        xml_attribute("mailharness: " + run.target.name), total.tests, total.failures, total.errors,
        seconds(run.duration_ms));
    for (const std::string& suite : suite_order) {
        Counts counts;
        std::string cases;
        for (const CaseResult* result : suites[suite]) {
            counts.add(*result);
            cases += testcase(*result);
        }
        out += fmt::format(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" "
            "time=\"{}\"{}>\n",
            xml_attribute(suite), counts.tests, counts.failures, counts.errors, counts.skipped,
            seconds(counts.milliseconds),
            timestamp.empty() ? "" : fmt::format(" timestamp=\"{}\"", timestamp));
        out += cases;
        out += "  </testsuite>\n";
    }
    out += "</testsuites>\n";
    return out;
}

}  // namespace mh::harness::report
