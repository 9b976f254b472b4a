// `mailharness report render|merge|check` driven through the real executable.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness/report/reports.hpp"
#include "report_test_runs.hpp"

namespace mh::harness::report {
namespace {

using testing::mixed_run;

struct CommandResult {
    int status;
    std::string output;  // stdout and stderr
};

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

    static CommandResult mailharness(const std::string& arguments) {
        const std::string command = std::string(MH_MAILHARNESS) + " " + arguments + " 2>&1";
        std::FILE* pipe = popen(command.c_str(), "r");
        std::string output;
        char buffer[4096];
        std::size_t got = 0;
        while ((got = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) {
            output.append(buffer, got);
        }
        const int status = pclose(pipe);
        return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
    }

  private:
    std::filesystem::path directory_;
};

TEST_F(ReportCli, RenderWritesEachFormat) {
    const std::string results = write("results.json", mixed_run());
    const CommandResult junit =
        mailharness("report render " + results + " --format junit --out " + path("junit.xml"));
    EXPECT_EQ(junit.status, 0) << junit.output;
    EXPECT_EQ(read("junit.xml"), render_junit(mixed_run()));

    const CommandResult markdown = mailharness("report render " + results + " --format markdown");
    EXPECT_EQ(markdown.status, 0);
    EXPECT_EQ(markdown.output, render_markdown(mixed_run()));

    const CommandResult json = mailharness("report render " + results + " --format json");
    EXPECT_EQ(json.output, render_json(mixed_run()));

    const CommandResult console = mailharness("report render " + results + " --format console");
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
    const CommandResult merged =
        mailharness("report merge " + write("s1.json", first) + " " + write("s2.json", second) +
                    " --out " + path("all.json"));
    EXPECT_EQ(merged.status, 0) << merged.output;
    EXPECT_EQ(parse_json(read("all.json"), "all.json"), mixed_run());
}

TEST_F(ReportCli, MergeConflictExitsTwoNamingTheFiles) {
    RunResult other = mixed_run();
    other.cases[0].outcome = Outcome::fail;
    const std::string a = write("a.json", mixed_run());
    const std::string b = write("b.json", other);
    const CommandResult merged = mailharness("report merge " + a + " " + b);
    EXPECT_EQ(merged.status, 2);
    EXPECT_EQ(merged.output, "mailharness report merge: merge: case a/1 differs between " + a +
                                 " and " + b + ": outcome (\"pass\" vs \"fail\")\n");
}

TEST_F(ReportCli, CheckExitsAsTheRunWould) {
    const std::string results = write("results.json", mixed_run());
    EXPECT_EQ(mailharness("report check " + results).status, 1);
    EXPECT_EQ(mailharness("report check " + results + " --fail-on must --min-score 0.4").status, 0);
    EXPECT_EQ(mailharness("report check " + results + " --fail-on must --min-score 0.5").status, 1);
    RunResult unreachable = mixed_run();
    unreachable.target_unreachable = true;
    for (CaseResult& result : unreachable.cases) {
        result.outcome = Outcome::error;
    }
    const CommandResult check = mailharness("report check " + write("down.json", unreachable));
    EXPECT_EQ(check.status, 3);
    EXPECT_NE(check.output.find("The target could not be reached."), std::string::npos);
}

TEST_F(ReportCli, BadInputExitsTwoWithTheReason) {
    std::ofstream(path("new.json")) << "{\"schema_version\": 9}";
    const CommandResult newer =
        mailharness("report render " + path("new.json") + " --format junit");
    EXPECT_EQ(newer.status, 2);
    EXPECT_NE(newer.output.find("schema_version 9 is newer than this mailharness understands"),
              std::string::npos)
        << newer.output;
    const CommandResult missing = mailharness("report check " + path("missing.json"));
    EXPECT_EQ(missing.status, 2);
    EXPECT_NE(missing.output.find("cannot read"), std::string::npos) << missing.output;
    const CommandResult format =
        mailharness("report render " + write("r.json", mixed_run()) + " --format pdf");
    EXPECT_EQ(format.status, 2);
}

}  // namespace
}  // namespace mh::harness::report
