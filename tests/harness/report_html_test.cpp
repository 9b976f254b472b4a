// The HTML report as text: numbers, order, escaping, self-containment. The browser test
// (report_html_browser_test.cpp) loads the same pages in Chromium.
#include <gtest/gtest.h>

#include <regex>

#include "harness/report/html_report.hpp"
#include "report_test_runs.hpp"

namespace mh::harness::report {
namespace {

using testing::bench_report;
using testing::line;
using testing::mixed_run;
using testing::other_run;

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

std::string html(const std::vector<RunResult>& runs, const std::vector<bench::Report>& benches = {},
                 HtmlOptions options = {}) {
    return render_html(runs, benches, options);
}

TEST(HtmlReport, SummaryNumbers) {
    const std::string page = html({mixed_run()});
    EXPECT_EQ(page.rfind("<!DOCTYPE html>\n", 0), 0U);
    EXPECT_TRUE(contains(page, "<td class=\"num big\" id=\"score-0\">44.4%</td>")) << page;
    EXPECT_TRUE(contains(page, "id=\"pass-0\">2</td>"));
    EXPECT_TRUE(contains(page, "id=\"fail-0\">1</td>"));
    EXPECT_TRUE(contains(page, "id=\"waived-0\">1</td>"));
    EXPECT_TRUE(contains(page, "id=\"skip-0\">1</td>"));
    EXPECT_TRUE(contains(page, "id=\"error-0\">1</td>"));
    EXPECT_TRUE(contains(page, "id=\"cases-0\">6</td>"));
    EXPECT_TRUE(contains(page, "<th>postfix-local</th>"));
    EXPECT_TRUE(contains(page, "id=\"status-0\">complete</td>")) << page;
    RunResult stopped = mixed_run();
    stopped.interrupted = true;
    EXPECT_TRUE(contains(html({stopped}), "<strong>interrupted</strong>"));
}

TEST(HtmlReport, SelfContained) {
    const std::string page = html({mixed_run(), other_run()}, {bench_report()});
    // Nothing is fetched: no URLs, no external scripts, styles, images or fonts.
    EXPECT_FALSE(contains(page, "http:"));
    EXPECT_FALSE(contains(page, "https:"));
    EXPECT_FALSE(contains(page, " src="));
    EXPECT_FALSE(contains(page, "<link"));
    EXPECT_FALSE(contains(page, "url("));
    EXPECT_FALSE(contains(page, "@import"));
    EXPECT_EQ(page.substr(page.size() - 15), "</body></html>\n");
}

TEST(HtmlReport, MustFailuresFirstInTheMatrix) {
    RunResult run = mixed_run();
    run.cases.push_back(
        testing::make_case("z", "should", "RFC1870", "6", Level::should, Outcome::fail));
    const std::string page = html({run});
    const std::size_t must = page.find("<tr data-severity=\"0\"><th>RFC5321 4.1.1.1</th>");
    const std::size_t should = page.find("<tr data-severity=\"1\"><th>RFC1870 6</th>");
    const std::size_t passed = page.find("<tr data-severity=\"3\"><th>RFC5321 3.3</th>");
    ASSERT_NE(must, std::string::npos) << page;
    ASSERT_NE(should, std::string::npos) << page;
    ASSERT_NE(passed, std::string::npos) << page;
    EXPECT_LT(must, should);
    EXPECT_LT(should, passed);
    // Cell colours: the MUST failure, the section with only a waived SHOULD (0 of 1 passed),
    // the section with nothing applicable.
    EXPECT_TRUE(contains(page,
                         "<td class=\"cell c-must\" title=\"1 pass, 1 fail, 0 waived, 0 skip, "
                         "0 error\">50.0%<small>1/2 passed</small></td>"))
        << page;
    EXPECT_TRUE(contains(page, "<td class=\"cell c-partial\""));
    EXPECT_TRUE(contains(page, "<td class=\"cell c-error\""));
    // The case list: the MUST failure before the SHOULD error and the passes.
    EXPECT_LT(page.find("<code>a/2</code>"), page.find("<code>b/6</code>"));
    EXPECT_LT(page.find("<code>b/6</code>"), page.find("<code>a/1</code>"));
}

TEST(HtmlReport, FailingExchangeHighlighted) {
    const std::string page = html({mixed_run()});
    // The last command and everything after it.
    EXPECT_TRUE(
        contains(page, "<span class=\"t s\" title=\"1.5 ms\">S: 220 mx.example.test ESMTP</span>"))
        << page;
    EXPECT_TRUE(contains(page, "<span class=\"t c hl\" title=\"2.2 ms\">C: QUIT</span>"));
    EXPECT_TRUE(contains(page, "<span class=\"t s hl\" title=\"3.0 ms\">S: 250 2.0.0 ok</span>"));
    EXPECT_TRUE(contains(page, "Failed at step 4"));
    EXPECT_TRUE(contains(page, "expected: 221\nactual:   250 2.0.0 ok"));
}

TEST(HtmlReport, PeerTextCannotInjectMarkup) {
    RunResult run = mixed_run();
    run.target.name = "<b>evil</b>";
    run.cases[1].title = "title \" onmouseover=\"x";
    run.cases[1].transcript.push_back(
        line(TranscriptLine::Direction::server, "</pre><script>alert(1)</script>\x1b[31m\x01"));
    const std::string page = html({run});
    EXPECT_FALSE(contains(page, "<script>alert"));
    EXPECT_FALSE(contains(page, "<b>evil"));
    EXPECT_TRUE(contains(page, "&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;\\x1B[31m\\x01"))
        << page;
    EXPECT_TRUE(contains(page, "title &quot; onmouseover=&quot;x"));
    EXPECT_EQ(std::count(page.begin(), page.end(), '\x1b'), 0);
}

TEST(HtmlReport, SeveralTargetsSideBySide) {
    const std::string page = html({mixed_run(), other_run()});
    EXPECT_TRUE(contains(page, "<th></th><th>postfix-local</th><th>reference</th>"));
    EXPECT_TRUE(contains(page, "id=\"score-1\">"));
    // b/4 did not run against the second target; c/7 not against the first.
    EXPECT_TRUE(contains(page, "<span class=\"badge absent\" title=\"reference\">&mdash;</span>"));
    EXPECT_TRUE(
        contains(page, "<span class=\"badge absent\" title=\"postfix-local\">&mdash;</span>"));
    EXPECT_TRUE(contains(page, "style=\"--columns: 2\""));
    // The same name twice gets a suffix.
    const std::string twice = html({mixed_run(), mixed_run()});
    EXPECT_TRUE(contains(twice, "<th>postfix-local</th><th>postfix-local #2</th>"));
}

TEST(HtmlReport, TranscriptsOfProblemsOnly) {
    RunResult run = mixed_run();
    run.cases[0].transcript = {line(TranscriptLine::Direction::client, "NOOP-OF-A-PASS")};
    HtmlOptions options;
    options.transcripts = TranscriptScope::problems;
    const std::string page = html({run}, {}, options);
    EXPECT_FALSE(contains(page, "NOOP-OF-A-PASS"));
    EXPECT_TRUE(contains(page, "Transcript left out (a passing case)."));
    EXPECT_TRUE(contains(page, "C: QUIT"));
    EXPECT_TRUE(contains(html({run}), "NOOP-OF-A-PASS"));
}

TEST(HtmlReport, BenchCharts) {
    const std::string page = html({}, {bench_report()});
    EXPECT_TRUE(contains(page, "<span class=\"big\" id=\"bench-rate-0\">100.0</span> messages/s"))
        << page;
    EXPECT_TRUE(contains(page, "<span id=\"bench-errors-0\">2</span> errors"));
    // Two charts: throughput over time (with the warm-up shaded) and latency percentiles.
    const std::regex svg("<svg class=\"chart\"");
    EXPECT_EQ(
        std::distance(std::sregex_iterator(page.begin(), page.end(), svg), std::sregex_iterator()),
        2);
    EXPECT_TRUE(contains(page, "<title>Throughput over time</title>"));
    EXPECT_TRUE(contains(page, "<title>Latency percentiles</title>"));
    EXPECT_TRUE(contains(page, "<rect class=\"shade\""));
    EXPECT_TRUE(contains(page, "<th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th>"));
    EXPECT_TRUE(contains(page, "<tr><th>DATA</th><td class=\"num\">300</td>"));
    // No run results: no summary, no cases.
    EXPECT_FALSE(contains(page, "id=\"summary\""));
}

TEST(HtmlReport, DiffPagesLeaveScoresOut) {
    HtmlOptions options;
    options.scores = false;
    options.title = "mailharness diff";
    options.note = "2 cases differ";
    const std::string page = html({mixed_run(), other_run()}, {}, options);
    EXPECT_FALSE(contains(page, "id=\"score-0\""));
    EXPECT_FALSE(contains(page, "id=\"compliance\""));
    EXPECT_TRUE(contains(page, "<p class=\"note\" id=\"note\">2 cases differ</p>"));
}

}  // namespace
}  // namespace mh::harness::report
