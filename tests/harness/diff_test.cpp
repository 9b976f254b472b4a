// harness/diff: reply classes, which cases differ, and the three renderings.
#include <gtest/gtest.h>

#include "harness/diff/diff_report.hpp"
#include "harness/diff/run_diff.hpp"
#include "report_test_runs.hpp"

namespace mh::harness::diff {
namespace {

using Direction = TranscriptLine::Direction;
using testing::line;
using testing::mixed_run;
using testing::other_run;

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

CaseResult with_transcript(std::vector<TranscriptLine> lines) {
    CaseResult result = testing::make_case("s", "c", "RFC5321", "4.2", Level::must, Outcome::pass);
    result.transcript = std::move(lines);
    return result;
}

TEST(ReplyClasses, SmtpCountsLastLinesOnly) {
    const CaseResult result = with_transcript({
        line(Direction::server, "220 mx ESMTP"),
        line(Direction::client, "EHLO x"),
        line(Direction::server, "250-mx"),
        line(Direction::server, "250 PIPELINING"),
        line(Direction::client, "DATA"),
        line(Direction::server, "354"),
        line(Direction::note, "501 in a note is not a reply"),
        line(Direction::server, "25 short"),
        line(Direction::server, "552 5.3.4 too big"),
    });
    EXPECT_EQ(reply_classes(result), (std::vector<std::string>{"2", "2", "3", "5"}));
}

TEST(ReplyClasses, Pop3StatusLinesOnlyAndConnectionsNamed) {
    CaseResult result = with_transcript({
        line(Direction::server, "+OK ready"),
        line(Direction::client, "RETR 1"),
        line(Direction::server, "+OK 20 octets"),
        line(Direction::server, "250 a message line, not a reply"),
        line(Direction::server, "."),
        line(Direction::server, "-ERR no such message"),
    });
    result.transcript.push_back(line(Direction::server, "+OK second"));
    result.transcript.back().connection = "second";
    EXPECT_EQ(reply_classes(result), (std::vector<std::string>{"+", "+", "-", "second:+"}));
}

TEST(DiffRuns, OutcomesAndOneSidedCases) {
    const RunDiff diff = diff_runs(mixed_run(), other_run());
    EXPECT_EQ(diff.compared, 5U);
    ASSERT_EQ(diff.cases.size(), 4U);
    EXPECT_EQ(diff.cases[0].full_id, "a/2");  // fail vs pass
    EXPECT_EQ(diff.cases[0].difference, Difference::outcome);
    EXPECT_EQ(diff.cases[1].full_id, "a/3");  // waived vs fail
    EXPECT_EQ(diff.cases[1].difference, Difference::outcome);
    EXPECT_EQ(diff.cases[2].full_id, "b/4");
    EXPECT_EQ(diff.cases[2].difference, Difference::only_in_a);
    EXPECT_FALSE(diff.cases[2].b.has_value());
    EXPECT_EQ(diff.cases[3].full_id, "c/7");
    EXPECT_EQ(diff.cases[3].difference, Difference::only_in_b);
    EXPECT_EQ(diff_summary(diff), "4 of 7 cases differ (2 outcome, 1 only in A, 1 only in B)");
    EXPECT_TRUE(diff_runs(mixed_run(), mixed_run()).cases.empty());
    EXPECT_EQ(diff_summary(diff_runs(mixed_run(), mixed_run())), "no difference in 6 cases");
}

TEST(DiffRuns, SameOutcomeOtherReplyClass) {
    RunResult a = mixed_run(), b = mixed_run();
    a.cases[0].transcript = {line(Direction::server, "220 hi"), line(Direction::client, "VRFY x"),
                             line(Direction::server, "252 cannot verify")};
    b.cases[0].transcript = a.cases[0].transcript;
    b.cases[0].transcript[2].text = "550 no such user";
    // Timings and text within a class are no difference.
    b.cases[1].transcript[2].text = "250 other text";
    b.cases[1].transcript[2].at_ms = 99;
    const RunDiff diff = diff_runs(a, b);
    ASSERT_EQ(diff.cases.size(), 1U);
    EXPECT_EQ(diff.cases[0].full_id, "a/1");
    EXPECT_EQ(diff.cases[0].difference, Difference::reply_classes);
}

TEST(DiffReports, ConsoleSideBySide) {
    const std::string text =
        render_diff_console(diff_runs(mixed_run(), other_run()), {"old", "new"}, 100);
    EXPECT_TRUE(contains(text, "DIFF   a/2  RFC5321 4.1.1.1  MUST  -- outcome FAIL vs PASS\n"))
        << text;
    // Each side gets (100 - 3) / 2 = 48 columns; the left one is padded to 46.
    EXPECT_TRUE(contains(text, "  old: FAIL -- wrong reply code                  | new: PASS\n"))
        << text;
    EXPECT_TRUE(contains(
        text, "  S: 220 mx.example.test ESMTP                   | S: 220 mx.example.test ESMTP\n"))
        << text;
    EXPECT_TRUE(contains(text, "DIFF   b/4  RFC5321 3.3  MAY  -- only run against old\n"));
    EXPECT_TRUE(
        contains(text, "4 of 7 cases differ (2 outcome, 1 only in A, 1 only in B): old vs new\n"));
}

TEST(DiffReports, ConsoleCutsLongLines) {
    RunResult a = mixed_run(), b = other_run();
    a.cases[1].transcript[0].text = std::string(300, 'x');
    const std::string text = render_diff_console(diff_runs(a, b), {"A", "B"}, 60);
    EXPECT_TRUE(contains(text, "  S: " + std::string(22, 'x') + "… | ")) << text;
}

TEST(DiffReports, MarkdownTableAndTranscripts) {
    const std::string md = render_diff_markdown(diff_runs(mixed_run(), other_run()), {"A", "<B>"});
    EXPECT_TRUE(contains(md, "## mailharness diff: A vs &lt;B&gt;\n\n4 of 7 cases differ")) << md;
    EXPECT_TRUE(
        contains(md, "| a/2 | MUST | RFC5321 4.1.1.1 | FAIL | PASS | outcome FAIL vs PASS |\n"));
    EXPECT_TRUE(
        contains(md, "| c/7 | MUST | RFC1939 5 | — | PASS | only run against &lt;B&gt; |\n"));
    EXPECT_TRUE(
        contains(md,
                 "<tr><td><pre>FAIL -- wrong reply code\n\nS: 220 mx.example.test ESMTP\n"
                 "C: QUIT\nS: 250 2.0.0 ok\n# expected 221\n</pre></td><td><pre>PASS\n\nS: 220"))
        << md;
}

TEST(DiffReports, HtmlHoldsOnlyTheDifferences) {
    const std::string page = render_diff_html(diff_runs(mixed_run(), other_run()), {"A", "B"});
    EXPECT_TRUE(contains(page, "<title>mailharness diff: A vs B</title>"));
    EXPECT_TRUE(contains(page, "4 of 7 cases differ"));
    EXPECT_TRUE(contains(page, "<code>a/2</code>"));
    EXPECT_FALSE(contains(page, "<code>a/1</code>"));  // the same in both
    EXPECT_FALSE(contains(page, "id=\"score-0\""));
}

}  // namespace
}  // namespace mh::harness::diff
