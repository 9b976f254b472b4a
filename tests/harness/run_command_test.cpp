// The mailharness executable's run / validate / list commands end to end: against the embedded
// reference (exit 0), an unreachable target (exit 3), bad files (exit 2 with positions), and
// the reports written.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

struct Outcome {
    int exit_code = -1;
    std::string output;  // stdout and stderr
};

Outcome mailharness(const std::string& arguments) {
    const std::string command = std::string(MH_BINARY) + " " + arguments + " 2>&1";
    Outcome outcome;
    std::FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) {
        ADD_FAILURE() << "cannot run " << command;
        return outcome;
    }
    std::array<char, 4096> buffer{};
    while (std::fgets(buffer.data(), buffer.size(), pipe) != nullptr) {
        outcome.output += buffer.data();
    }
    const int status = ::pclose(pipe);
    outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return outcome;
}

const std::string suites = MH_SOURCE_DIR "/suites";
const std::string data = MH_SOURCE_DIR "/tests/harness/data";

TEST(RunCommand, SessionSuiteAgainstTheEmbeddedReferencePasses) {
    const auto json = std::filesystem::temp_directory_path() / "mh_run_command_test.json";
    const auto junit = std::filesystem::temp_directory_path() / "mh_run_command_test.xml";
    const Outcome outcome = mailharness("run " + suites + "/smtp/session.yaml -j 2 --json " +
                                        json.string() + " --junit " + junit.string());
    EXPECT_EQ(outcome.exit_code, 0) << outcome.output;
    EXPECT_NE(outcome.output.find("against embedded-reference"), std::string::npos)
        << outcome.output;
    EXPECT_NE(outcome.output.find("PASS   smtp-session/quit-221-then-close"), std::string::npos);
    EXPECT_TRUE(std::filesystem::file_size(json) > 100);
    EXPECT_TRUE(std::filesystem::file_size(junit) > 100);
    std::filesystem::remove(json);
    std::filesystem::remove(junit);
}

TEST(RunCommand, UnreachableTargetExits3) {
    const Outcome outcome = mailharness("run " + data + "/broken.yaml --smtp 127.0.0.1:1 -j 1");
    EXPECT_EQ(outcome.exit_code, 3) << outcome.output;
    EXPECT_NE(outcome.output.find("connection to 127.0.0.1:1 refused"), std::string::npos)
        << outcome.output;
}

TEST(RunCommand, BadUsageAndBadFilesExit2) {
    EXPECT_EQ(mailharness("run " + data + "/broken.yaml --smtp nowhere").exit_code, 2);
    EXPECT_EQ(mailharness("run " + data + "/broken.yaml --shard 3/2").exit_code, 2);
    const auto bad = std::filesystem::temp_directory_path() / "mh_bad_suite.yaml";
    std::ofstream(bad)
        << "suite: x\nprotocol: smtp\ncases:\n  - id: a\n    steps: [{sned: QUIT}]\n";
    const Outcome run = mailharness("run " + bad.string());
    EXPECT_EQ(run.exit_code, 2);
    EXPECT_NE(run.output.find(bad.string() +
                              ":5:14: error: unknown key `sned` in a step (did you mean `send`?)"),
              std::string::npos)
        << run.output;
    EXPECT_EQ(mailharness("validate " + bad.string()).exit_code, 2);
    std::filesystem::remove(bad);
}

TEST(ValidateAndList, BundledSuitesAndProfiles) {
    const Outcome validate = mailharness("validate " + suites);
    EXPECT_EQ(validate.exit_code, 0) << validate.output;
    EXPECT_NE(validate.output.find(" 0 errors"), std::string::npos);
    const Outcome list = mailharness("list " + data + " --level should");
    EXPECT_EQ(list.exit_code, 0) << list.output;
    EXPECT_NE(list.output.find("broken/wrong-code"), std::string::npos);
    EXPECT_NE(list.output.find("1 cases"), std::string::npos) << list.output;
}

}  // namespace
