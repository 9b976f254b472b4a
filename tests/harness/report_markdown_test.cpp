#include <gtest/gtest.h>

#include "harness/report/reports.hpp"
#include "report_test_runs.hpp"

namespace mh::harness::report {
namespace {

using testing::line;
using testing::make_case;
using testing::mixed_run;

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

TEST(MarkdownReport, HeadlineAndSpecTable) {
    const std::string md = render_markdown(mixed_run());
    EXPECT_EQ(md.rfind("## mailharness: postfix-local — score 44.4%\n", 0), 0U) << md;
    EXPECT_TRUE(contains(md,
                         "**2 passed, 1 failed**, 1 waived, 1 skipped, 1 errors — 6 cases in "
                         "1.2 s, started 2026-11-26T17:02:10Z\n"))
        << md;
    EXPECT_TRUE(contains(md, "| RFC3207 | 100.0% | 0 | 0 | 0 | 1 | 1 |\n")) << md;
    EXPECT_TRUE(contains(md, "| RFC5321 | 44.4% | 2 | 1 | 1 | 0 | 0 |\n")) << md;
    EXPECT_TRUE(contains(md, "| **Overall** | 44.4% | 2 | 1 | 1 | 1 | 1 |\n")) << md;
    EXPECT_TRUE(contains(md, "| RFC5321 4.1.1.10 | 0.0% | 0 | 0 | 1 | 0 | 0 |\n")) << md;
}

TEST(MarkdownReport, MustFailuresComeFirst) {
    RunResult run = mixed_run();
    // A MAY and a SHOULD failure before the MUST one in run order.
    run.cases.insert(run.cases.begin(),
                     make_case("z", "may-fail", "RFC5321", "2.1", Level::may, Outcome::fail));
    run.cases.insert(run.cases.begin(),
                     make_case("z", "should-fail", "RFC5321", "2.2", Level::should, Outcome::fail));
    const std::string md = render_markdown(run);
    const std::size_t must = md.find("#### MUST a/2 — RFC5321 4.1.1.1");
    const std::size_t should = md.find("#### SHOULD z/should-fail");
    const std::size_t may = md.find("#### MAY z/may-fail");
    ASSERT_NE(must, std::string::npos) << md;
    ASSERT_NE(should, std::string::npos) << md;
    ASSERT_NE(may, std::string::npos) << md;
    EXPECT_LT(must, should);
    EXPECT_LT(should, may);
    EXPECT_LT(md.find("### Failures (3)"), must);
    EXPECT_LT(may, md.find("### Errors (1)"));
}

TEST(MarkdownReport, FailureShowsExpectedActualAndCollapsedTranscript) {
    const std::string md = render_markdown(mixed_run());
    EXPECT_TRUE(contains(md,
                         "#### MUST a/2 — RFC5321 4.1.1.1\n\ncase 2\n\nwrong reply code\n\n"
                         "```text\nexpected: 221\nactual:   250 2.0.0 ok\n```\n"))
        << md;
    EXPECT_TRUE(contains(md,
                         "<details><summary>Transcript (4 lines)</summary>\n\n```text\n"
                         "S: 220 mx.example.test ESMTP\nC: QUIT\nS: 250 2.0.0 ok\n"
                         "# expected 221\n```\n\n</details>\n"))
        << md;
}

TEST(MarkdownReport, WaivedSkippedAndUnusedWaivers) {
    const std::string md = render_markdown(mixed_run());
    EXPECT_TRUE(contains(md,
                         "### Waived (1)\n\n- SHOULD a/3 (RFC5321 4.1.1.10): QUIT answer is "
                         "known to be odd\n"))
        << md;
    EXPECT_TRUE(contains(md,
                         "<details><summary>Skipped (1)</summary>\n\n- b/5: requires "
                         "STARTTLS, not advertised\n"))
        << md;
    EXPECT_TRUE(contains(md, "### Unused waivers")) << md;
    EXPECT_TRUE(contains(md, "- smtp-vrfy/\\*\n")) << md;
}

TEST(MarkdownReport, PeerTextCannotBreakTheMarkup) {
    RunResult run = mixed_run();
    run.cases[1].title = "<script>alert(1)</script> | *bold*";
    run.cases[1].transcript.push_back(
        line(TranscriptLine::Direction::server, "250 ```` fence \x1b[2J"));
    const std::string md = render_markdown(run);
    EXPECT_TRUE(contains(md, "\\<script\\>alert(1)\\</script\\> \\| \\*bold\\*")) << md;
    EXPECT_FALSE(contains(md, "<script>")) << md;
    EXPECT_FALSE(contains(md, "\x1b")) << md;
    // The fence grows past the longest backtick run inside it.
    EXPECT_TRUE(contains(md, "`````text\nS: 220")) << md;
    EXPECT_TRUE(contains(md, "S: 250 ```` fence \\x1B[2J\n`````\n")) << md;
}

TEST(MarkdownReport, LongTranscriptsKeepTheirEnd) {
    RunResult run = mixed_run();
    run.cases[1].transcript.clear();
    for (int i = 0; i < 150; ++i) {
        run.cases[1].transcript.push_back(
            line(TranscriptLine::Direction::client, "NOOP " + std::to_string(i)));
    }
    const std::string md = render_markdown(run);
    EXPECT_TRUE(contains(md, "Transcript (150 lines)")) << md;
    EXPECT_TRUE(contains(md, "# ... 50 earlier lines in the JSON results\nC: NOOP 50\n")) << md;
    EXPECT_FALSE(contains(md, "C: NOOP 49\n")) << md;
    EXPECT_TRUE(contains(md, "C: NOOP 149\n")) << md;
}

TEST(MarkdownReport, StatusNotes) {
    RunResult run = mixed_run();
    run.target_unreachable = true;
    run.interrupted = true;
    run.partial = true;
    run.shard = "1,3/4";
    const std::string md = render_markdown(run);
    EXPECT_TRUE(contains(md, "> **The target could not be reached**")) << md;
    EXPECT_TRUE(contains(md, "> **Interrupted**")) << md;
    EXPECT_TRUE(contains(md, "> Partial result: shard 1,3/4 of the cases.")) << md;
}

}  // namespace
}  // namespace mh::harness::report
