#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <functional>

#include "harness/report/reports.hpp"
#include "report_test_runs.hpp"

namespace mh::harness::report {
namespace {

using testing::line;
using testing::make_case;
using testing::mixed_run;

std::string capture(const std::function<void(std::FILE*)>& write) {
    char* buffer = nullptr;
    std::size_t size = 0;
    std::FILE* out = open_memstream(&buffer, &size);
    write(out);
    std::fclose(out);
    std::string text(buffer, size);
    std::free(buffer);
    return text;
}

std::string case_line(const CaseResult& result, ConsoleStyle style) {
    return capture([&](std::FILE* out) { print_case_line(out, result, style); });
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// A pseudo-terminal in raw mode: the program side is a terminal, the test reads what it shows.
class PseudoTerminal {
  public:
    PseudoTerminal() {
        controller_ = posix_openpt(O_RDWR | O_NOCTTY);
        if (controller_ < 0 || grantpt(controller_) != 0 || unlockpt(controller_) != 0) {
            throw std::runtime_error("cannot open a pseudo-terminal");
        }
        const int device = open(ptsname(controller_), O_RDWR | O_NOCTTY);
        termios mode{};
        tcgetattr(device, &mode);
        cfmakeraw(&mode);
        tcsetattr(device, TCSANOW, &mode);
        terminal_ = fdopen(device, "w");
    }
    ~PseudoTerminal() {
        std::fclose(terminal_);
        close(controller_);
    }
    PseudoTerminal(const PseudoTerminal&) = delete;
    PseudoTerminal& operator=(const PseudoTerminal&) = delete;

    std::FILE* terminal() const { return terminal_; }

    std::string shown() {
        std::fflush(terminal_);
        std::string text;
        pollfd ready{controller_, POLLIN, 0};
        char buffer[4096];
        while (poll(&ready, 1, 100) > 0) {
            const ssize_t got = read(controller_, buffer, sizeof buffer);
            if (got <= 0) {
                break;
            }
            text.append(buffer, static_cast<std::size_t>(got));
        }
        return text;
    }

  private:
    int controller_ = -1;
    std::FILE* terminal_ = nullptr;
};

TEST(ConsoleReport, CaseLinesArePlainWithoutColour) {
    const RunResult run = mixed_run();
    EXPECT_EQ(case_line(run.cases[0], {}), "PASS   a/1  RFC5321 4.1.1.1  MUST  12 ms\n");
    EXPECT_EQ(case_line(run.cases[1], {}),
              "FAIL   a/2  RFC5321 4.1.1.1  MUST  12 ms  -- wrong reply code\n");
    EXPECT_EQ(case_line(run.cases[2], {}),
              "WAIVED a/3  RFC5321 4.1.1.10  SHOULD  12 ms  -- QUIT answer is known to be odd\n");
    EXPECT_EQ(case_line(run.cases[4], {}),
              "SKIP   b/5  RFC3207 4.2  MUST  12 ms  -- requires STARTTLS, not advertised\n");
    EXPECT_EQ(case_line(run.cases[5], {}),
              "ERROR  b/6  RFC3207 4.2  SHOULD  12 ms  -- TLS handshake failed: wrong version "
              "number\n");
}

TEST(ConsoleReport, CaseLinesAreColouredOnRequest) {
    const RunResult run = mixed_run();
    EXPECT_EQ(case_line(run.cases[0], {.color = true}).rfind("\x1b[32mPASS  \x1b[0m a/1", 0), 0U);
    EXPECT_EQ(case_line(run.cases[1], {.color = true}).rfind("\x1b[1;31mFAIL  \x1b[0m a/2", 0), 0U);
}

TEST(ConsoleReport, VerboseCaseLineShowsTheFailure) {
    const std::string text = case_line(mixed_run().cases[1], {.verbose = true});
    EXPECT_EQ(text,
              "FAIL   a/2  RFC5321 4.1.1.1  MUST  12 ms  -- wrong reply code\n"
              "    expected: 221\n"
              "    actual:   250 2.0.0 ok\n"
              "    transcript:\n"
              "      S: 220 mx.example.test ESMTP\n"
              "      C: QUIT\n"
              "      S: 250 2.0.0 ok\n"
              "      # expected 221\n");
}

TEST(ConsoleReport, PeerBytesCannotDriveTheTerminal) {
    CaseResult result = mixed_run().cases[1];
    result.message = "bad \x1b[2J\x1b]0;owned\x07 reply";
    result.transcript.push_back(line(TranscriptLine::Direction::server, "\x1b[31mred\x9b"));
    const std::string text = case_line(result, {.verbose = true});
    EXPECT_FALSE(contains(text, "\x1b")) << text;
    EXPECT_TRUE(contains(text, "bad \\x1B[2J\\x1B]0;owned\\x07 reply")) << text;
    EXPECT_TRUE(contains(text, "S: \\x1B[31mred\\x9B")) << text;
}

TEST(ConsoleReport, SummaryTableAndFailuresMustFirst) {
    RunResult run = mixed_run();
    run.cases.insert(run.cases.begin(),
                     make_case("z", "should-fail", "RFC5321", "2.2", Level::should, Outcome::fail));
    const std::string text = capture([&](std::FILE* out) { print_summary(out, run, {}); });
    EXPECT_TRUE(contains(text,
                         "Score 36.3% against postfix-local: 2 passed, 2 failed, 1 waived, "
                         "1 skipped, 1 errors (7 cases, 1.2 s)\n"))
        << text;
    EXPECT_TRUE(contains(text,
                         "  Spec      Score   Pass   Fail  Waived   Skip  Error\n"
                         "  RFC3207  100.0%      0      0       0      1      1\n"
                         "  RFC5321   36.3%      2      2       1      0      0\n"
                         "  Overall   36.3%      2      2       1      1      1\n"))
        << text;
    const std::size_t must = text.find(
        "FAIL   MUST a/2 (RFC5321 4.1.1.1): case 2\n"
        "    wrong reply code\n"
        "    expected: 221\n");
    const std::size_t should = text.find("FAIL   SHOULD z/should-fail (RFC5321 2.2)");
    ASSERT_NE(must, std::string::npos) << text;
    ASSERT_NE(should, std::string::npos) << text;
    EXPECT_LT(must, should);
    EXPECT_TRUE(contains(text, "      C: QUIT\n")) << text;
    EXPECT_TRUE(contains(text, "Errors (MUST first):\nERROR  SHOULD b/6")) << text;
    EXPECT_TRUE(contains(text,
                         "Unused waivers (they matched no case; remove them from the "
                         "profile):\n  smtp-vrfy/*\n"))
        << text;
}

TEST(ConsoleReport, SummaryShortensTranscriptsUnlessVerbose) {
    RunResult run = mixed_run();
    run.cases[1].transcript.clear();
    for (int i = 0; i < 30; ++i) {
        run.cases[1].transcript.push_back(
            line(TranscriptLine::Direction::client, "NOOP " + std::to_string(i)));
    }
    const std::string brief = capture([&](std::FILE* out) { print_summary(out, run, {}); });
    EXPECT_TRUE(contains(brief,
                         "      # ... 10 earlier lines (--verbose or the JSON results)\n"
                         "      C: NOOP 10\n"))
        << brief;
    EXPECT_FALSE(contains(brief, "C: NOOP 9\n")) << brief;
    const std::string full =
        capture([&](std::FILE* out) { print_summary(out, run, {.verbose = true}); });
    EXPECT_TRUE(contains(full, "      C: NOOP 0\n")) << full;
}

TEST(ConsoleReport, LongLinesAreCutAtACharacterBoundary) {
    RunResult run = mixed_run();
    // 299 ASCII bytes, then 'é' (2 bytes) straddling column 300, then 16 KB more.
    const std::string long_reply = std::string(296, 'x') + "\xc3\xa9" + std::string(16'000, 'y');
    run.cases[1].transcript = {line(TranscriptLine::Direction::server, long_reply)};
    const std::string text = capture([&](std::FILE* out) { print_summary(out, run, {}); });
    // "S: " + 296 x = 299 columns; the 2-byte character would end past 300, so it is left out.
    EXPECT_TRUE(contains(text, "      S: " + std::string(296, 'x') +
                                   " ... (16002 more bytes in the JSON results)\n"))
        << text.substr(0, 2000);
    EXPECT_FALSE(contains(text, "yyy")) << text.substr(0, 2000);
}

class NoColorEnv : public ::testing::Test {
  protected:
    void TearDown() override { unsetenv("NO_COLOR"); }
};

TEST_F(NoColorEnv, ColourOnlyOnATerminalWithoutNoColor) {
    PseudoTerminal pty;
    unsetenv("NO_COLOR");
    EXPECT_TRUE(console_style(pty.terminal(), false).color);
    setenv("NO_COLOR", "", 1);  // empty counts as unset (no-color.org)
    EXPECT_TRUE(console_style(pty.terminal(), false).color);
    setenv("NO_COLOR", "1", 1);
    EXPECT_FALSE(console_style(pty.terminal(), false).color);
    unsetenv("NO_COLOR");
    std::FILE* file = std::tmpfile();
    EXPECT_FALSE(console_style(file, false).color);
    EXPECT_TRUE(console_style(file, true).verbose);
    std::fclose(file);
}

TEST(ProgressLine, PlainOutputGetsTheCaseLinesOnly) {
    const RunResult run = mixed_run();
    const std::string text = capture([&](std::FILE* out) {
        ProgressLine progress(out, run.cases.size());
        for (const CaseResult& result : run.cases) {
            progress.case_finished(result, {});
        }
    });
    std::string expected;
    for (const CaseResult& result : run.cases) {
        expected += case_line(result, {});
    }
    EXPECT_EQ(text, expected);
}

TEST(ProgressLine, TerminalShowsProgressBelowTheCaseLines) {
    PseudoTerminal pty;
    const RunResult run = mixed_run();
    {
        ProgressLine progress(pty.terminal(), 3);
        progress.case_finished(run.cases[1], {});
        EXPECT_EQ(pty.shown(), case_line(run.cases[1], {}) + "[1/3] 1 failed, 0 errors, 0 s");
        progress.case_finished(run.cases[5], {});
        EXPECT_EQ(pty.shown(),
                  "\r\x1b[K" + case_line(run.cases[5], {}) + "[2/3] 1 failed, 1 errors, 0 s");
        progress.case_finished(run.cases[0], {});  // the last: no progress line any more
        EXPECT_EQ(pty.shown(), "\r\x1b[K" + case_line(run.cases[0], {}));
    }
    EXPECT_EQ(pty.shown(), "");
}

}  // namespace
}  // namespace mh::harness::report
