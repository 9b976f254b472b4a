// mailharness bench end to end: short SMTP and POP3 runs against the embedded reference
// (counts, zero errors, integrity including a dropped message), open-loop latencies against
// a server that stalls once (coordinated omission), and the executable's `bench smtp --verify`
// and `bench pop3` (every workload, several sessions) against its embedded default.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "harness/bench/engine.hpp"
#include "harness/bench/integrity.hpp"
#include "harness/bench/pop3_load.hpp"
#include "harness/bench/scenario_load.hpp"
#include "harness/bench/smtp_load.hpp"
#include "harness/scenario/suite_loader.hpp"
#include "reference/embedded.hpp"
#include "tests/harness/bench_smtp_test_server.hpp"
#include "tests/support/shell_command.hpp"

namespace mh::harness::bench {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using boost::asio::ip::make_address;
using boost::asio::ip::tcp;

class BenchAgainstReference : public ::testing::Test {
  protected:
    void SetUp() override {
        root_ = fs::temp_directory_path() /
                ("bench_load_test_" + std::to_string(::getpid()) + "_" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(root_);
        server_ = reference::EmbeddedServer::start(root_);
    }
    void TearDown() override {
        server_->stop();
        fs::remove_all(root_);
    }
    tcp::endpoint smtp() const {
        return {make_address(server_->endpoints().host), server_->endpoints().smtp};
    }
    tcp::endpoint pop3() const {
        return {make_address(server_->endpoints().host), server_->endpoints().pop3};
    }

    // Sends `count` messages of 1 KB to alice; returns the report.
    Report send(std::uint64_t count, bool pipelining, const MessageFactory& messages,
                AcceptedLedger* ledger = nullptr) {
        SmtpLoadOptions options;
        options.endpoint = smtp();
        options.pipelining = pipelining;
        options.messages = &messages;
        options.ledger = ledger;
        EngineOptions engine;
        engine.concurrency = 4;
        engine.threads = 2;
        engine.pacing.units = count;
        engine.idle_timeout = 20s;
        Report report;
        run_load(engine, smtp_session(options), report);
        return report;
    }

    fs::path root_;
    std::unique_ptr<reference::EmbeddedServer> server_;
};

MessageFactory kilobyte(std::string run_id = {}) {
    return MessageFactory({{1024, 1}}, "bench@example.test", "alice@example.test",
                          std::move(run_id));
}

TEST_F(BenchAgainstReference, LockstepMessagesAreCountedWithoutErrors) {
    const auto messages = kilobyte();
    const Report report = send(200, false, messages);
    EXPECT_EQ(report.stats.units, 200u);
    EXPECT_EQ(report.stats.error_count(), 0u);
    EXPECT_EQ(report.stats.bytes, 200u * 1024u);
    EXPECT_EQ(report.stats.latency.count(), 200u);
    EXPECT_EQ(report.stats.commands.at("MAIL").count(), 200u);
    EXPECT_EQ(report.stats.commands.at("RCPT").count(), 200u);
    EXPECT_EQ(report.stats.connect.count(), 4u);  // reused connections
    EXPECT_GT(report.rate(), 0.0);
}

TEST_F(BenchAgainstReference, PipelinedRunDeliversEveryMessageIntact) {
    const auto messages = kilobyte("run1");
    AcceptedLedger ledger;
    const Report report = send(150, true, messages, &ledger);
    EXPECT_EQ(report.stats.units, 150u);
    EXPECT_EQ(report.stats.error_count(), 0u);
    const auto integrity =
        verify_maildir(root_ / "alice", IntegrityCheck("run1", ledger.sequences()));
    EXPECT_TRUE(integrity.ok()) << integrity.summary();
    EXPECT_EQ(integrity.delivered, 150u);
}

TEST_F(BenchAgainstReference, IntegrityDetectsADroppedADuplicatedAndACorruptMessage) {
    const auto messages = kilobyte("run2");
    AcceptedLedger ledger;
    send(20, false, messages, &ledger);
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(root_ / "alice" / "Maildir" / "new"))
        files.push_back(e.path());
    ASSERT_EQ(files.size(), 20u);
    fs::remove(files[0]);                                  // dropped
    fs::copy_file(files[1], files[1].string() + "-copy");  // duplicated
    {
        std::string text;
        std::ifstream in(files[2], std::ios::binary);
        text.assign(std::istreambuf_iterator<char>(in), {});
        text[text.size() - 10] ^= 1;  // one bit flipped in the body
        std::ofstream(files[2], std::ios::binary | std::ios::trunc) << text;
    }
    const auto integrity =
        verify_maildir(root_ / "alice", IntegrityCheck("run2", ledger.sequences()));
    EXPECT_FALSE(integrity.ok());
    EXPECT_EQ(integrity.missing, 2u);  // the dropped one and the corrupt one
    EXPECT_EQ(integrity.duplicates, 1u);
    EXPECT_EQ(integrity.corrupt, 1u);
    EXPECT_EQ(integrity.delivered, 18u);
}

TEST_F(BenchAgainstReference, Pop3RetrAllCountsMessages) {
    const auto messages = kilobyte();
    send(10, true, messages);
    for (bool pipelining : {false, true}) {
        Pop3LoadOptions options;
        options.endpoint = pop3();
        options.accounts = {{"alice", "alice-pw"}};
        options.tls = scenario::TlsMode::starttls;  // the reference logs in only under TLS
        options.workload = Pop3Workload::retr_all;
        options.pipelining = pipelining;
        EngineOptions engine;
        engine.concurrency = 1;  // one maildrop: sessions on it take turns anyway
        engine.pacing.units = 3;
        engine.idle_timeout = 20s;
        Report report;
        run_load(engine, pop3_session(options), report);
        EXPECT_EQ(report.stats.units, 30u) << pipelining;
        EXPECT_EQ(report.stats.error_count(), 0u) << pipelining;
        EXPECT_EQ(report.stats.commands.at("RETR").count(), 30u);
    }
}

TEST_F(BenchAgainstReference, RefusedConnectionsAreTransportErrors) {
    const auto messages = kilobyte();
    SmtpLoadOptions options;
    options.endpoint = tcp::endpoint(make_address("127.0.0.1"), 1);  // nothing listens on port 1
    options.messages = &messages;
    EngineOptions engine;
    engine.pacing.units = 5;
    Report report;
    run_load(engine, smtp_session(options), report);
    EXPECT_EQ(report.stats.units, 0u);
    EXPECT_EQ(report.stats.errors["transport"], 5u);
}

TEST(BenchOpenLoop, LatencyCountsTheQueueBehindAStalledServer) {
    // The server answers at once, except that the 20th message's 250 comes 300 ms late.
    testing::SmtpTestRules stall_once;
    stall_once.before_content_reply = [](int message) {
        if (message == 19)
            std::this_thread::sleep_for(300ms);
    };
    testing::SmtpTestServer server(stall_once);
    const auto messages = kilobyte();
    SmtpLoadOptions options;
    options.endpoint = tcp::endpoint(make_address("127.0.0.1"), server.port());
    options.messages = &messages;
    EngineOptions engine;
    engine.concurrency = 1;
    engine.pacing.units = 100;
    engine.pacing.rate = 200.0;  // one every 5 ms; the stall holds up ~60 of them
    engine.idle_timeout = 20s;
    Report report;
    run_load(engine, smtp_session(options), report);
    EXPECT_EQ(report.stats.units, 100u);
    EXPECT_EQ(report.stats.error_count(), 0u);
    // Each command's own latency shows one slow reply; the messages scheduled during the stall
    // waited for it too, and the open-loop figures say so.
    EXPECT_LT(report.stats.commands.at(".").percentile(90), 100'000'000u);
    EXPECT_GE(report.stats.latency.percentile(50), 10'000'000u);  // half waited >= 10 ms
    EXPECT_GE(report.stats.latency.max(), 290'000'000u);
}

// Suite cases as units: tickets take the cases in turn; a passing case is a unit with its own
// latency row, a failing one an error under its id; a case the target cannot run is left out.
TEST_F(BenchAgainstReference, ScenarioCasesAreUnitsAndFailuresAreErrors) {
    const fs::path file = root_ / "load.yaml";
    std::ofstream(file)
        << "suite: load\nprotocol: smtp\ncases:\n"
           "  - id: ok\n    steps: [{expect: 220}, {send: NOOP}, {expect: 250}]\n"
           "  - id: wrong\n    steps: [{expect: 220}, {send: NOOP}, {expect: 554}]\n"
           "  - id: needs-xyz\n    requires: [XYZZY]\n"
           "    steps: [{expect: 220}]\n";
    const auto suites = scenario::load_suites({file});
    ASSERT_TRUE(suites.errors.empty());
    const auto profile = scenario::embedded_default_profile(
        server_->endpoints().host, server_->endpoints().smtp, server_->endpoints().pop3);
    ScenarioLoadOptions options;
    options.profile = &profile;
    options.capabilities = run::probe_capabilities(profile, scenario::Duration(5000));
    std::vector<std::string> skipped;
    options.cases = runnable_cases(run::select_cases(suites.suites, {}, std::nullopt),
                                   options.capabilities, skipped);
    ASSERT_EQ(options.cases.size(), 2u);
    ASSERT_EQ(skipped.size(), 1u);
    EXPECT_EQ(skipped[0], "load/needs-xyz: the target does not advertise XYZZY");

    EngineOptions engine;
    engine.concurrency = 2;
    engine.threads = 2;
    engine.pacing.units = 40;
    engine.idle_timeout = 20s;
    Report report;
    run_load(engine, scenario_session(options), report);
    EXPECT_EQ(report.stats.units, 20u);
    EXPECT_EQ(report.stats.errors["fail"], 20u);
    EXPECT_EQ(report.stats.errors_by_command["load/wrong fail"], 20u);
    ASSERT_TRUE(report.stats.commands.count("load/ok"));
    EXPECT_EQ(report.stats.commands["load/ok"].count(), 20u);
}

// `mailharness bench` with no target: the embedded reference refuses logins in the clear and
// locks a maildrop per session, so the command must use STLS and an account per session.
class BenchCommandOnEmbeddedDefault : public ::testing::Test {
  protected:
    void SetUp() override {
        json_ = fs::temp_directory_path() /
                ("bench_command_" + std::to_string(::getpid()) + "_" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".json");
    }
    void TearDown() override { fs::remove(json_); }

    // Runs `mailharness bench ARGUMENTS --json FILE`; the JSON it wrote (null when none).
    nlohmann::json bench(const std::string& arguments, mh::test::CommandOutcome& outcome) {
        outcome = mh::test::run_shell(std::string(MH_MAILHARNESS) + " bench " + arguments +
                                      " --quiet --json " + json_.string());
        std::ifstream in(json_);
        return in ? nlohmann::json::parse(in) : nlohmann::json();
    }

    fs::path json_;
};

TEST_F(BenchCommandOnEmbeddedDefault, Pop3EveryWorkloadWithFourSessionsHasNoErrors) {
    // login counts sessions; retr-all and top count the messages of every session's maildrop;
    // mixed takes login, top, retr-all in turn (8 sessions: 3 login, 3 top, 2 retr-all).
    const std::map<std::string, std::uint64_t> units{
        {"login", 8}, {"retr-all", 8 * 5}, {"top", 8 * 5}, {"mixed", 3 + 5 * 5}};
    for (const auto& [workload, expected] : units) {
        mh::test::CommandOutcome outcome;
        const auto json = bench(
            "pop3 --concurrency 4 --sessions 8 --seed-messages 5 --workload " + workload, outcome);
        EXPECT_EQ(outcome.exit_code, 0) << workload << "\n" << outcome.output;
        ASSERT_TRUE(json.is_object()) << workload << "\n" << outcome.output;
        EXPECT_EQ(json["errors"]["total"], 0) << workload << "\n" << outcome.output;
        EXPECT_EQ(json["units"], expected) << workload << "\n" << outcome.output;
        EXPECT_EQ(json["options"]["tls"], "starttls") << workload;
        EXPECT_EQ(json["commands_ns"]["STLS"]["count"], 8) << workload;
    }
}

TEST_F(BenchCommandOnEmbeddedDefault, ImplicitTlsGoesToTheImplicitTlsPorts) {
    const std::vector<std::string> runs{"pop3 --tls implicit -c 4 --sessions 8 --workload top",
                                        "smtp --tls implicit -c 4 --messages 8"};
    for (const std::string& arguments : runs) {
        mh::test::CommandOutcome outcome;
        const auto json = bench(arguments, outcome);
        EXPECT_EQ(outcome.exit_code, 0) << arguments << "\n" << outcome.output;
        ASSERT_TRUE(json.is_object()) << arguments << "\n" << outcome.output;
        EXPECT_EQ(json["errors"]["total"], 0) << arguments << "\n" << outcome.output;
        EXPECT_EQ(json["units"], arguments.starts_with("pop3") ? 8 * 100 : 8) << arguments;
        EXPECT_GT(json["tls_handshake_ns"]["count"].get<int>(), 0) << arguments;
    }
}

TEST_F(BenchCommandOnEmbeddedDefault, Pop3SeedMessagesWithAnotherTargetIsAUsageError) {
    mh::test::CommandOutcome outcome;
    bench("pop3 --pop3 127.0.0.1:1 --seed-messages 5", outcome);
    EXPECT_EQ(outcome.exit_code, 2) << outcome.output;
    EXPECT_NE(outcome.output.find("--seed-messages fills the embedded reference's maildrops"),
              std::string::npos)
        << outcome.output;
}

TEST_F(BenchCommandOnEmbeddedDefault, SmtpVerifyReadsEveryMessageBackThroughPop3) {
    mh::test::CommandOutcome outcome;
    const auto json = bench("smtp --concurrency 4 --messages 40 --verify", outcome);
    EXPECT_EQ(outcome.exit_code, 0) << outcome.output;
    EXPECT_NE(outcome.output.find("integrity: 40 accepted, 40 delivered intact"), std::string::npos)
        << outcome.output;
    ASSERT_TRUE(json.is_object()) << outcome.output;
    EXPECT_EQ(json["errors"]["total"], 0) << outcome.output;
    EXPECT_EQ(json["integrity"]["ok"], true) << outcome.output;
    EXPECT_EQ(json["integrity"]["delivered"], 40) << outcome.output;
}

}  // namespace
}  // namespace mh::harness::bench
