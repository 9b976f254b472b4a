// The mailharness executable's run / validate / list commands end to end: against the embedded
// reference (exit 0), an unreachable target (exit 3), bad files (exit 2 with positions), the
// reports written, and Ctrl-C (partial reports, exit 130).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "../support/broken_server.hpp"
#include "../support/shell_command.hpp"

namespace {

using Outcome = mh::test::CommandOutcome;

Outcome mailharness(const std::string& arguments) {
    return mh::test::run_shell(std::string(MH_BINARY) + " " + arguments);
}

const std::string suites = MH_SOURCE_DIR "/suites";
const std::string data = MH_SOURCE_DIR "/tests/harness/data";

// The reference is the model every suite is checked on: every bundled case passes against it
// or is skipped for a capability it does not advertise (BINARYMIME, EXPN), none fails or errors.
TEST(RunCommand, EveryBundledSuitePassesAgainstTheEmbeddedReference) {
    const Outcome outcome = mailharness("run -j 2");
    EXPECT_EQ(outcome.exit_code, 0) << outcome.output;
    EXPECT_NE(outcome.output.find(" 0 failed, 0 waived, 2 skipped, 0 errors"), std::string::npos)
        << outcome.output;
}

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

std::string read_file(const std::filesystem::path& file) {
    std::ifstream in(file);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// Ctrl-C while two cases hang on a silent server: the running cases are cancelled at once,
// no other case starts, the reports are written and marked partial, the exit status is 130.
TEST(RunCommand, SigintStopsCleanlyAndWritesPartialReports) {
    mh::test::BrokenServer server(MH_SOURCE_DIR "/tests/support/broken_server.py");
    ASSERT_NE(server.port(), 0);
    const auto folder = std::filesystem::temp_directory_path() / "mh_run_interrupt_test";
    std::filesystem::create_directories(folder);
    const auto json = folder / "run.json", junit = folder / "run.xml", out = folder / "out.txt";
    const std::string smtp = "127.0.0.1:" + std::to_string(server.port());
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        const int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        ::dup2(fd, 1);
        ::dup2(fd, 2);
        const std::string suite = data + "/interrupt.yaml";
        ::execl(MH_BINARY, MH_BINARY, "run", suite.c_str(), "--smtp", smtp.c_str(), "-j", "2",
                "--json", json.c_str(), "--junit", junit.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    const auto started = std::chrono::steady_clock::now();
    const auto elapsed = [&] { return std::chrono::steady_clock::now() - started; };
    // Once the quick case is reported both workers are on hanging cases.
    while (read_file(out).find("interrupt/quick") == std::string::npos &&
           elapsed() < std::chrono::seconds(20)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    const auto interrupted_at = std::chrono::steady_clock::now();
    ::kill(child, SIGINT);
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    EXPECT_LT(std::chrono::steady_clock::now() - interrupted_at, std::chrono::seconds(5));
    const std::string output = read_file(out);
    ASSERT_TRUE(WIFEXITED(status)) << output;
    EXPECT_EQ(WEXITSTATUS(status), 130) << output;
    EXPECT_NE(output.find("SIGINT: stopping the running cases"), std::string::npos) << output;
    EXPECT_NE(output.find("Interrupted: not every selected case ran."), std::string::npos)
        << output;

    const std::string results = read_file(json);
    EXPECT_NE(results.find("\"partial\": true"), std::string::npos) << results;
    EXPECT_NE(results.find("\"interrupted\": true"), std::string::npos);
    EXPECT_NE(results.find("\"full_id\": \"interrupt/quick\""), std::string::npos);
    EXPECT_NE(results.find("interrupted (Ctrl-C) before the case finished"), std::string::npos);
    // Two hanging cases held the two slots (which two is up to the scheduler); the others never
    // started and are not in the results.
    std::size_t hanging = 0;
    for (auto at = results.find("\"full_id\": \"interrupt/hang-"); at != std::string::npos;
         at = results.find("\"full_id\": \"interrupt/hang-", at + 1)) {
        ++hanging;
    }
    EXPECT_EQ(hanging, 2u) << results;
    EXPECT_GT(std::filesystem::file_size(junit), 100u);
    std::filesystem::remove_all(folder);
}

}  // namespace
