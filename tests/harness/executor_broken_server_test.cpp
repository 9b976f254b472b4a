// The executor against a deliberately broken server (tests/support/broken_server.py): every
// kind of misbehaviour ends as a precise failure, never a hang or a crash; skip, waiver and
// exit codes follow; an unreachable target gives exit code 3.
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdio>
#include <map>

#include "harness/run/runner.hpp"
#include "harness/scenario/suite_loader.hpp"
#include "harness/scoring.hpp"

namespace mh::harness {
namespace {

namespace sc = scenario;

class BrokenServer {
  public:
    BrokenServer() {
        pipe_ =
            ::popen("exec /usr/bin/python3 " MH_TEST_SOURCE_DIR "/support/broken_server.py", "r");
        if (pipe_ == nullptr || std::fscanf(pipe_, "%hu %d", &port_, &pid_) != 2) {
            ADD_FAILURE() << "cannot start tests/support/broken_server.py with /usr/bin/python3";
        }
    }
    ~BrokenServer() {
        if (pid_ > 0) {
            ::kill(pid_, SIGTERM);
        }
        if (pipe_ != nullptr) {
            ::pclose(pipe_);
        }
    }
    std::uint16_t port() const { return port_; }

  private:
    std::FILE* pipe_ = nullptr;
    std::uint16_t port_ = 0;
    int pid_ = 0;
};

sc::TargetProfile profile_for(std::uint16_t port) {
    sc::TargetProfile profile = sc::embedded_default_profile("127.0.0.1", port, 0);
    profile.name = "broken";
    profile.smtp->tls = sc::TlsMode::none;
    profile.waivers = {{"broken/waived", "known"}, {"broken/stale-*", "no longer needed"}};
    return profile;
}

std::vector<sc::Suite> broken_suite() {
    auto load = sc::load_suite(MH_TEST_SOURCE_DIR "/harness/data/broken.yaml");
    EXPECT_TRUE(load.errors.empty()) << load.errors.at(0).format();
    std::vector<sc::Suite> suites;
    suites.push_back(std::move(*load.suite));
    return suites;
}

TEST(ExecutorBrokenServer, EachMisbehaviourIsAPreciseFailure) {
    BrokenServer server;
    ASSERT_NE(server.port(), 0);
    const auto suites = broken_suite();
    run::RunOptions options;
    options.jobs = 3;
    const RunResult run = run::run_suites(suites, profile_for(server.port()), options);

    std::map<std::string, const CaseResult*> by_id;
    for (const auto& result : run.cases) {
        by_id[result.id] = &result;
    }
    ASSERT_EQ(by_id.size(), 9u);
    EXPECT_EQ(run.cases.front().id, "passes");  // file order, whatever finished first
    EXPECT_EQ(by_id["passes"]->outcome, Outcome::pass) << by_id["passes"]->message;

    const CaseResult& malformed = *by_id["malformed-multiline"];
    EXPECT_EQ(malformed.outcome, Outcome::fail);
    EXPECT_EQ(malformed.failed_step, 2u);  // expect 220, send EHLO, expect 250
    EXPECT_NE(
        malformed.message.find("line 2 of the reply lacks the code-hyphen continuation (\"250-\")"),
        std::string::npos)
        << malformed.message;
    EXPECT_EQ(malformed.expected, "250");
    EXPECT_EQ(malformed.actual, "250-broken.test\nPIPELINING\n250 SIZE 1000");

    EXPECT_NE(
        by_id["mixed-codes"]->message.find("line 2 of the reply has code 251 but line 1 has 250"),
        std::string::npos);

    const CaseResult& wrong = *by_id["wrong-code"];
    EXPECT_EQ(wrong.outcome, Outcome::fail);
    EXPECT_NE(wrong.message.find("reply code 500, expected 250"), std::string::npos)
        << wrong.message;
    EXPECT_EQ(wrong.expected, "{code: 250, enhanced: 2.0.0}");
    EXPECT_EQ(wrong.actual, "500 5.5.1 what");
    ASSERT_FALSE(wrong.transcript.empty());
    EXPECT_EQ(wrong.transcript.back().text, "500 5.5.1 what");

    const CaseResult& silence = *by_id["silence"];
    EXPECT_EQ(silence.outcome, Outcome::fail);
    EXPECT_EQ(silence.actual.substr(0, 15), "nothing within ");
    EXPECT_LT(silence.duration_ms, 2000);

    const CaseResult& closed = *by_id["early-close"];
    EXPECT_EQ(closed.outcome, Outcome::fail);
    EXPECT_EQ(closed.actual, "the server closed the connection");

    const CaseResult& endless = *by_id["endless-line"];
    EXPECT_EQ(endless.outcome, Outcome::fail);
    EXPECT_EQ(endless.actual.substr(0, 40), "more data than the harness accepts for o");

    EXPECT_EQ(by_id["skipped"]->outcome, Outcome::skip);
    EXPECT_EQ(by_id["skipped"]->message, "the target does not advertise CHUNKING (EHLO)");
    EXPECT_EQ(by_id["waived"]->outcome, Outcome::waived);
    EXPECT_EQ(by_id["waived"]->waiver_reason, "known");
    EXPECT_EQ(run.unused_waivers, std::vector<std::string>{"broken/stale-*"});
    EXPECT_EQ(run.target.smtp_capabilities, (std::vector<std::string>{"PIPELINING", "SIZE 1000"}));

    EXPECT_EQ(run_exit_code(run, FailOn::must, std::nullopt), 1);
}

TEST(ExecutorBrokenServer, SelectionAndShardsAreStable) {
    const auto suites = broken_suite();
    sc::Selection selection;
    selection.case_globs = {"broken/*-c*"};
    const auto picked = run::select_cases(suites, selection, std::nullopt);
    ASSERT_EQ(picked.size(), 3u);
    EXPECT_EQ(picked[0].kase->id, "mixed-codes");
    EXPECT_EQ(picked[1].kase->id, "wrong-code");
    EXPECT_EQ(picked[2].kase->id, "early-close");
    std::size_t total = 0;
    for (unsigned i = 1; i <= 3; ++i) {
        total += run::select_cases(suites, {}, run::Shard{i, 3}).size();
    }
    EXPECT_EQ(total, suites[0].cases.size());
}

TEST(ExecutorBrokenServer, UnreachableTargetGivesExitCode3) {
    const auto suites = broken_suite();
    run::RunOptions options;
    options.jobs = 2;
    const RunResult run =
        run::run_suites(suites, profile_for(1), options);  // nothing listens on port 1
    EXPECT_TRUE(run.target_unreachable);
    for (const auto& result : run.cases) {
        EXPECT_EQ(result.outcome, Outcome::error) << result.id;
        EXPECT_EQ(result.message, "target unreachable: connection to 127.0.0.1:1 refused");
    }
    EXPECT_EQ(run_exit_code(run, FailOn::must, std::nullopt), 3);
}

}  // namespace
}  // namespace mh::harness
