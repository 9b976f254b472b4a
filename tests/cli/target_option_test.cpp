// cli/target_option: one resolution of --target / --smtp / --pop3 / the TLS flags / the embedded
// default for run, fuzz, bench scenario and diff. The module itself (bad profile -> its
// file:line:column errors and exit 2, a HOST:PORT without a port, the embedded default that
// answers and is cleaned up, overrides, a server that cannot start -> exit 3), then the four
// commands through the executable, so that each keeps its messages and exit codes.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "cli/target_option.hpp"
#include "tests/support/shell_command.hpp"

namespace {

namespace fs = std::filesystem;
namespace sc = mh::harness::scenario;
using mh::cli::resolve_target;
using mh::cli::TargetFlags;

const mh::reference::EmbeddedOptions unsynced{.store = mh::reference::Durability::unsynced};

// A folder of its own per test, removed at the end.
class TargetOption : public testing::Test {
  protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("mh_target_option_test_" + std::to_string(::getpid()) + "_" +
                testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    fs::path write(const std::string& name, const std::string& text) const {
        const fs::path path = dir_ / name;
        std::ofstream(path) << text;
        return path;
    }

    // A profile with a misspelt key on line 3, column 1.
    fs::path bad_profile() const {
        return write("bad.yaml", "target: x\nsmtp: {host: 127.0.0.1, port: 2525}\nacounts: []\n");
    }
    std::string bad_profile_error() const {
        return bad_profile().string() + ":3:1: error: unknown key `acounts`";
    }

    fs::path dir_;
};

std::string greeting_of(const std::string& host, std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    ::inet_pton(AF_INET, host.c_str(), &address.sin_addr);
    std::string line;
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0) {
        char buffer[256];
        const ssize_t got = ::read(fd, buffer, sizeof buffer);
        line.assign(buffer, got > 0 ? static_cast<std::size_t>(got) : 0);
    }
    ::close(fd);
    return line;
}

TEST_F(TargetOption, BadProfileFilePrintsItsPositionsAndExits2) {
    TargetFlags flags;
    flags.file = bad_profile().string();
    testing::internal::CaptureStderr();
    const auto target = resolve_target(flags, "test", unsynced);
    const std::string errors = testing::internal::GetCapturedStderr();
    EXPECT_FALSE(target);
    EXPECT_EQ(target.exit_code, 2);
    EXPECT_EQ(target.embedded, nullptr);
    EXPECT_NE(errors.find(bad_profile_error()), std::string::npos) << errors;
}

TEST_F(TargetOption, MissingProfileFileExits2) {
    TargetFlags flags;
    flags.file = (dir_ / "none.yaml").string();
    testing::internal::CaptureStderr();
    const auto target = resolve_target(flags, "test", unsynced);
    const std::string errors = testing::internal::GetCapturedStderr();
    EXPECT_EQ(target.exit_code, 2);
    EXPECT_NE(errors.find(flags.file), std::string::npos) << errors;
}

TEST_F(TargetOption, EndpointWithoutPortOrWithABadOneIsAValidationError) {
    TargetFlags flags;
    flags.smtp = "mail.example.test";
    EXPECT_THROW(
        {
            try {
                resolve_target(flags, "test", unsynced);
            } catch (const CLI::ValidationError& e) {
                EXPECT_NE(std::string(e.what()).find("--smtp: must be HOST:PORT, not "
                                                     "\"mail.example.test\""),
                          std::string::npos)
                    << e.what();
                throw;
            }
        },
        CLI::ValidationError);
    flags.smtp = "mail.example.test:";
    EXPECT_THROW(resolve_target(flags, "test", unsynced), CLI::ValidationError);
    flags.smtp.clear();
    flags.pop3 = "127.0.0.1:70000";
    EXPECT_THROW(resolve_target(flags, "test", unsynced), CLI::ValidationError);
    flags.pop3 = "127.0.0.1:110";
    flags.tls = "ssl";
    EXPECT_THROW(resolve_target(flags, "test", unsynced), CLI::ValidationError);
}

TEST_F(TargetOption, NothingGivenIsTheEmbeddedReferenceWhichAnswersAndIsRemoved) {
    fs::path store;
    {
        auto target = resolve_target({}, "test", unsynced);
        ASSERT_TRUE(target);
        ASSERT_NE(target.embedded, nullptr);
        store = target.embedded->store();
        EXPECT_TRUE(fs::is_directory(store));
        EXPECT_EQ(store.filename().string().rfind("mailharness-test-", 0), 0u) << store;
        EXPECT_EQ(target.profile.name, "embedded-reference");
        ASSERT_TRUE(target.profile.smtp && target.profile.pop3);
        EXPECT_EQ(target.profile.smtp->port, target.embedded->endpoints().smtp);
        EXPECT_EQ(target.profile.pop3->port, target.embedded->endpoints().pop3);
        EXPECT_EQ(target.profile.smtp->tls, sc::TlsMode::starttls);  // the reference offers it
        EXPECT_EQ(
            greeting_of(target.profile.smtp->host, target.profile.smtp->port).rfind("220 ", 0), 0u);
        EXPECT_EQ(greeting_of(target.profile.pop3->host, target.profile.pop3->port).rfind("+OK", 0),
                  0u);
    }
    EXPECT_FALSE(fs::exists(store));
}

TEST_F(TargetOption, EndpointsAloneKeepTheDefaultAccountsUnderTheNameCommandLine) {
    TargetFlags flags;
    flags.smtp = "127.0.0.1:2525";
    flags.tls = "implicit";
    const auto target = resolve_target(flags, "test", unsynced);
    ASSERT_TRUE(target);
    EXPECT_EQ(target.embedded, nullptr);
    EXPECT_EQ(target.profile.name, "command-line");
    ASSERT_TRUE(target.profile.smtp);
    EXPECT_EQ(target.profile.smtp->host, "127.0.0.1");
    EXPECT_EQ(target.profile.smtp->port, 2525);
    EXPECT_EQ(target.profile.smtp->tls, sc::TlsMode::implicit);
    EXPECT_FALSE(target.profile.pop3);
    EXPECT_NE(target.profile.find_account("alice"), nullptr);
}

TEST_F(TargetOption, EndpointFlagsOverrideTheProfileFile) {
    TargetFlags flags;
    flags.file = write("good.yaml",
                       "target: good\n"
                       "smtp: {host: 127.0.0.1, port: 2525, tls: starttls}\n"
                       "pop3: {host: 127.0.0.1, port: 2110}\n"
                       "domain: example.test\n"
                       "accounts:\n  - {user: alice, password: alice-pw, address: "
                       "alice@example.test}\n")
                     .string();
    flags.smtp = "localhost:2626";
    flags.pop3_tls = "implicit";
    const auto target = resolve_target(flags, "test", unsynced);
    ASSERT_TRUE(target);
    EXPECT_EQ(target.profile.name, "good");
    ASSERT_TRUE(target.profile.smtp && target.profile.pop3);
    EXPECT_EQ(target.profile.smtp->host, "localhost");
    EXPECT_EQ(target.profile.smtp->port, 2626);
    EXPECT_EQ(target.profile.smtp->tls, sc::TlsMode::none);  // --smtp: its own TLS flags, or none
    EXPECT_EQ(target.profile.pop3->port, 2110);
    EXPECT_EQ(target.profile.pop3->tls, sc::TlsMode::implicit);
}

TEST_F(TargetOption, EmbeddedReferenceThatCannotStartExits3WithTheReason) {
    const fs::path not_a_folder = write("file", "x");
    const char* old = std::getenv("TMPDIR");
    const std::string saved = old ? old : "";
    ::setenv("TMPDIR", not_a_folder.c_str(), 1);
    testing::internal::CaptureStderr();
    const auto target = resolve_target({}, "test", unsynced);
    const std::string errors = testing::internal::GetCapturedStderr();
    old ? ::setenv("TMPDIR", saved.c_str(), 1) : ::unsetenv("TMPDIR");
    EXPECT_EQ(target.exit_code, 3);
    EXPECT_EQ(target.embedded, nullptr);
    EXPECT_NE(errors.find("mailharness: cannot start the embedded reference server: "),
              std::string::npos)
        << errors;
}

// The commands through the executable.

mh::test::CommandOutcome mailharness(const std::string& arguments) {
    return mh::test::run_shell(std::string(MH_MAILHARNESS) + " " + arguments);
}

const std::string session_suite = MH_SOURCE_DIR "/suites/smtp/session.yaml";
const std::string one_case = " --case smtp-session/quit-221-then-close";

TEST_F(TargetOption, EveryCommandReportsABadProfileFileWithItsPositionAndExits2) {
    const std::string file = bad_profile().string();
    for (const std::string& command :
         {"run " + session_suite + " --target " + file,
          "fuzz --seeds " + session_suite + " --duration 1s --out " + (dir_ / "out").string() +
              " --target " + file,
          "bench scenario " + session_suite + " --runs 1 --target " + file,
          "diff --target " + file + " --target embedded " + session_suite}) {
        const auto outcome = mailharness(command);
        EXPECT_EQ(outcome.exit_code, 2) << command << "\n" << outcome.output;
        EXPECT_NE(outcome.output.find(bad_profile_error()), std::string::npos) << command << "\n"
                                                                               << outcome.output;
    }
    const auto diff = mailharness("diff --target " + file + " --target embedded " + session_suite);
    EXPECT_NE(diff.output.find("mailharness diff: bad target profile " + file), std::string::npos)
        << diff.output;
}

TEST_F(TargetOption, RunAndFuzzRefuseAnEndpointWithoutAPort) {
    for (const std::string& command : {"run " + session_suite + " --smtp nowhere",
                                       "fuzz --seeds " + session_suite + " --smtp nowhere"}) {
        const auto outcome = mailharness(command);
        EXPECT_EQ(outcome.exit_code, 2) << command << "\n" << outcome.output;
        EXPECT_NE(outcome.output.find("--smtp: must be HOST:PORT, not \"nowhere\""),
                  std::string::npos)
            << command << "\n"
            << outcome.output;
    }
}

TEST_F(TargetOption, RunFuzzBenchAndDiffDefaultToTheEmbeddedReference) {
    const auto run = mailharness("run " + session_suite + one_case + " -j 1");
    EXPECT_EQ(run.exit_code, 0) << run.output;
    EXPECT_NE(run.output.find("1 cases against embedded-reference"), std::string::npos)
        << run.output;

    const auto fuzz = mailharness("fuzz --seeds " + session_suite +
                                  " --protocol smtp --replay --duration 300ms --jobs 1 --out " +
                                  (dir_ / "fuzz").string());
    EXPECT_EQ(fuzz.exit_code, 0) << fuzz.output;
    EXPECT_NE(fuzz.output.find("against embedded-reference"), std::string::npos) << fuzz.output;

    const auto bench =
        mailharness("bench scenario " + session_suite + one_case + " --runs 3 --quiet");
    EXPECT_EQ(bench.exit_code, 0) << bench.output;
    EXPECT_NE(bench.output.find("bench: target is the embedded reference\n"), std::string::npos)
        << bench.output;
    EXPECT_NE(bench.output.find("scenario embedded-reference: 3 cases"), std::string::npos)
        << bench.output;

    const auto diff =
        mailharness("diff --target embedded --target embedded " + session_suite + one_case);
    EXPECT_EQ(diff.exit_code, 0) << diff.output;
    EXPECT_NE(diff.output.find("mailharness diff: running against embedded"), std::string::npos)
        << diff.output;
}

TEST_F(TargetOption, RunExits3WhenTheEmbeddedReferenceCannotStart) {
    const fs::path not_a_folder = write("file", "x");
    const auto run = mh::test::run_shell("TMPDIR=" + not_a_folder.string() + " " + MH_MAILHARNESS +
                                         " run " + session_suite + one_case);
    EXPECT_EQ(run.exit_code, 3) << run.output;
    EXPECT_NE(run.output.find("mailharness: cannot start the embedded reference server: "),
              std::string::npos)
        << run.output;
}

}  // namespace
