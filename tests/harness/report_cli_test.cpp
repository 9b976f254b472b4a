// `mailharness report render|merge|check` driven through the real executable.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness/report/reports.hpp"
#include "report_test_runs.hpp"
#include "tests/support/shell_command.hpp"

namespace mh::harness::report {
namespace {

using testing::mixed_run;

using mh::test::CommandOutcome;

class ReportCli : public ::testing::Test {
  protected:
    void SetUp() override {
        directory_ = std::filesystem::temp_directory_path() /
                     ("mh-report-cli-" + std::to_string(getpid()) + "-" +
                      ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::create_directories(directory_);
    }
    void TearDown() override { std::filesystem::remove_all(directory_); }

    std::string path(const std::string& name) const { return (directory_ / name).string(); }

    std::string write(const std::string& name, const RunResult& run) const {
        std::ofstream(path(name), std::ios::binary) << render_json(run);
        return path(name);
    }

    std::string read(const std::string& name) const {
        std::ifstream file(path(name), std::ios::binary);
        std::ostringstream text;
        text << file.rdbuf();
        return text.str();
    }

    static CommandOutcome mailharness(const std::string& arguments) {
        return mh::test::run_shell(std::string(MH_MAILHARNESS) + " " + arguments);
    }

  private:
    std::filesystem::path directory_;
};

TEST_F(ReportCli, RenderWritesEachFormat) {
    const std::string results = write("results.json", mixed_run());
    const CommandOutcome junit =
        mailharness("report render " + results + " --format junit --out " + path("junit.xml"));
    EXPECT_EQ(junit.exit_code, 0) << junit.output;
    EXPECT_EQ(read("junit.xml"), render_junit(mixed_run()));

    const CommandOutcome markdown = mailharness("report render " + results + " --format markdown");
    EXPECT_EQ(markdown.exit_code, 0);
    EXPECT_EQ(markdown.output, render_markdown(mixed_run()));

    const CommandOutcome json = mailharness("report render " + results + " --format json");
    EXPECT_EQ(json.output, render_json(mixed_run()));

    const CommandOutcome console = mailharness("report render " + results + " --format console");
    EXPECT_NE(console.output.find("FAIL   a/2  RFC5321 4.1.1.1  MUST  12 ms"), std::string::npos)
        << console.output;
}

TEST_F(ReportCli, MergeJoinsShards) {
    RunResult first = mixed_run();
    RunResult second = mixed_run();
    first.cases.resize(3);
    second.cases.erase(second.cases.begin(), second.cases.begin() + 3);
    first.partial = second.partial = true;
    first.shard = "1/2";
    second.shard = "2/2";
    const CommandOutcome merged =
        mailharness("report merge " + write("s1.json", first) + " " + write("s2.json", second) +
                    " --out " + path("all.json"));
    EXPECT_EQ(merged.exit_code, 0) << merged.output;
    EXPECT_EQ(parse_json(read("all.json"), "all.json"), mixed_run());
}

TEST_F(ReportCli, MergeConflictExitsTwoNamingTheFiles) {
    RunResult other = mixed_run();
    other.cases[0].outcome = Outcome::fail;
    const std::string a = write("a.json", mixed_run());
    const std::string b = write("b.json", other);
    const CommandOutcome merged = mailharness("report merge " + a + " " + b);
    EXPECT_EQ(merged.exit_code, 2);
    EXPECT_EQ(merged.output, "mailharness report merge: merge: case a/1 differs between " + a +
                                 " and " + b + ": outcome (\"pass\" vs \"fail\")\n");
}

TEST_F(ReportCli, CheckExitsAsTheRunWould) {
    const std::string results = write("results.json", mixed_run());
    EXPECT_EQ(mailharness("report check " + results).exit_code, 1);
    EXPECT_EQ(mailharness("report check " + results + " --fail-on must --min-score 0.4").exit_code,
              0);
    EXPECT_EQ(mailharness("report check " + results + " --fail-on must --min-score 0.5").exit_code,
              1);
    RunResult unreachable = mixed_run();
    unreachable.target_unreachable = true;
    for (CaseResult& result : unreachable.cases) {
        result.outcome = Outcome::error;
    }
    const CommandOutcome check = mailharness("report check " + write("down.json", unreachable));
    EXPECT_EQ(check.exit_code, 3);
    EXPECT_NE(check.output.find("The target could not be reached."), std::string::npos);
}

TEST_F(ReportCli, BadInputExitsTwoWithTheReason) {
    std::ofstream(path("new.json")) << "{\"schema_version\": 9}";
    const CommandOutcome newer =
        mailharness("report render " + path("new.json") + " --format junit");
    EXPECT_EQ(newer.exit_code, 2);
    EXPECT_NE(newer.output.find("schema_version 9 is newer than this mailharness understands"),
              std::string::npos)
        << newer.output;
    const CommandOutcome missing = mailharness("report check " + path("missing.json"));
    EXPECT_EQ(missing.exit_code, 2);
    EXPECT_NE(missing.output.find("cannot read"), std::string::npos) << missing.output;
    const CommandOutcome format =
        mailharness("report render " + write("r.json", mixed_run()) + " --format pdf");
    EXPECT_EQ(format.exit_code, 2);
}

}  // namespace
}  // namespace mh::harness::report
