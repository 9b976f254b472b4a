// `mailharness diff` through the executable: two results files, bad usage, and a live diff of
// the embedded reference against the broken test server (tests/support/broken_server.py).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness/report/reports.hpp"
#include "report_test_runs.hpp"
#include "tests/support/broken_server.hpp"
#include "tests/support/shell_command.hpp"

namespace mh::harness::report {
namespace {

using mh::test::CommandOutcome;

CommandOutcome mailharness(const std::string& arguments) {
    return mh::test::run_shell(std::string(MH_MAILHARNESS) + " " + arguments);
}

std::string read(const std::filesystem::path& path) {
    std::ifstream file(path, std::ios::binary);
    std::ostringstream text;
    text << file.rdbuf();
    return text.str();
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

class DiffCli : public ::testing::Test {
  protected:
    void SetUp() override {
        directory_ = std::filesystem::temp_directory_path() /
                     ("mh-diff-cli-" + std::to_string(getpid()) + "-" +
                      ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::create_directories(directory_);
    }
    void TearDown() override { std::filesystem::remove_all(directory_); }

    std::string path(const std::string& name) const { return (directory_ / name).string(); }

    std::filesystem::path directory_;
};

TEST_F(DiffCli, TwoResultsFiles) {
    std::ofstream(path("old.json")) << render_json(testing::mixed_run());
    std::ofstream(path("new.json")) << render_json(testing::other_run());
    const CommandOutcome differ =
        mailharness("diff " + path("old.json") + " " + path("new.json") + " --markdown " +
                    path("diff.md") + " --html " + path("diff.html"));
    EXPECT_EQ(differ.exit_code, 1) << differ.output;
    EXPECT_TRUE(
        contains(differ.output, "DIFF   a/2  RFC5321 4.1.1.1  MUST  -- outcome FAIL vs PASS"))
        << differ.output;
    EXPECT_TRUE(contains(differ.output, "4 of 7 cases differ"));
    EXPECT_TRUE(contains(read(path("diff.md")), "| a/2 | MUST | RFC5321 4.1.1.1 | FAIL | PASS |"));
    EXPECT_TRUE(contains(read(path("diff.html")), "<code>a/2</code>"));

    const CommandOutcome same = mailharness("diff " + path("old.json") + " " + path("old.json"));
    EXPECT_EQ(same.exit_code, 0) << same.output;
    EXPECT_TRUE(contains(same.output, "no difference in 6 cases"));
}

TEST_F(DiffCli, BadUsageExits2) {
    std::ofstream(path("old.json")) << render_json(testing::mixed_run());
    const CommandOutcome one = mailharness("diff " + path("old.json"));
    EXPECT_EQ(one.exit_code, 2);
    EXPECT_TRUE(contains(one.output,
                         "give two targets (--target A --target B [SUITES...]) or two "
                         "results files (A.json B.json)"))
        << one.output;
    std::ofstream(path("bad.json")) << "{\"schema_version\": 1}";
    const CommandOutcome bad = mailharness("diff " + path("old.json") + " " + path("bad.json"));
    EXPECT_EQ(bad.exit_code, 2);
    EXPECT_TRUE(contains(bad.output, "bad.json")) << bad.output;
}

TEST_F(DiffCli, EmbeddedReferenceAgainstBrokenServer) {
    const test::BrokenServer server(MH_SOURCE_DIR "/tests/support/broken_server.py");
    ASSERT_NE(server.port(), 0);
    std::ofstream(path("broken.yaml"))
        << "target: broken\nsmtp: {host: 127.0.0.1, port: " << server.port()
        << ", tls: none}\n"
           "domain: example.test\n"
           "accounts:\n"
           "  - {user: alice, password: alice-pw, address: "
           "alice@example.test}\n"
           "foreign_address: someone@elsewhere.test\n"
           "seed: {via: smtp}\n";
    const CommandOutcome result = mailharness(
        "diff --target embedded --target " + path("broken.yaml") +
        " " MH_SOURCE_DIR
        "/tests/harness/data/broken.yaml --case broken/passes --case broken/wrong-code --case "
        "broken/mixed-codes -j 2 --markdown " +
        path("diff.md"));
    EXPECT_EQ(result.exit_code, 1) << result.output;
    // NOOP: the reference answers 250, the broken server 500.
    EXPECT_TRUE(
        contains(result.output,
                 "DIFF   broken/wrong-code  RFC5321 4.1.1.9  SHOULD  -- outcome PASS vs FAIL"))
        << result.output;
    // MIXED fails on both, but the reference refuses it (5) and the broken server answers 2xx.
    EXPECT_TRUE(
        contains(result.output,
                 "DIFF   broken/mixed-codes  RFC5321 4.2.1  MUST  -- reply classes 2 5 vs 2 2"))
        << result.output;
    EXPECT_FALSE(contains(result.output, "DIFF   broken/passes"));
    EXPECT_TRUE(contains(result.output, "2 of 3 cases differ")) << result.output;
    EXPECT_TRUE(contains(read(path("diff.md")), "| broken/wrong-code | SHOULD |"));
}

}  // namespace
}  // namespace mh::harness::report
