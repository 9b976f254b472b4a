// The network fuzzer's executor (harness/fuzz/executor.hpp) against the embedded reference,
// one conversation at a time, as the campaign plays them.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <exception>
#include <filesystem>
#include <optional>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "harness/fuzz/executor.hpp"
#include "harness/fuzz/seeds.hpp"
#include "harness/run/channel.hpp"
#include "reference/embedded.hpp"

namespace mh::harness::fuzz {
namespace {

namespace fs = std::filesystem;
namespace sc = scenario;

class ExecutorAgainstReference : public ::testing::Test {
  protected:
    void SetUp() override {
        root_ = fs::temp_directory_path() /
                ("netfuzz_executor_test_" + std::to_string(::getpid()) + "_" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(root_);
        // As `mailharness fuzz` starts it: one worker, a load account to log in as.
        server_ = reference::EmbeddedServer::start(
            root_, {.store = reference::Durability::discard, .threads = 1, .load_accounts = 1});
        pop3_.protocol = sc::Protocol::pop3;
        pop3_.endpoint = sc::Endpoint{server_->endpoints().host, server_->endpoints().pop3};
        pop3_.tls.resume_sessions = true;
        pop3_.profile.domain = "example.test";
        pop3_.profile.accounts.push_back({"load1", "load1-pw", "load1@example.test"});
        const auto traits = probe_traits(pop3_);
        ASSERT_TRUE(traits);
        pop3_.traits = *traits;
    }
    void TearDown() override {
        server_->stop();
        fs::remove_all(root_);
    }

    // Logged in as load1, then `commands` in one turn.
    Conversation logged_in(const std::string& commands, bool close_early) const {
        Conversation conversation{sc::Protocol::pop3, "test",
                                  login_prefix(sc::Protocol::pop3, pop3_.profile, pop3_.traits),
                                  close_early};
        conversation.turns.push_back(Turn{Turn::Kind::send, commands, {}});
        return conversation;
    }

    fs::path root_;
    std::unique_ptr<reference::EmbeddedServer> server_;
    TargetSettings pop3_;
};

// Logs in as load1 over STLS and keeps the session, and so the maildrop lock, until closed.
class LockHolder {
  public:
    explicit LockHolder(const TargetSettings& pop3)
        : channel_(sc::Protocol::pop3, pop3.tls, transcript_, "holder") {
        const auto deadline = [] { return transport::Clock::now() + std::chrono::seconds(5); };
        channel_.open(pop3.endpoint, deadline());
        channel_.observe(std::chrono::seconds(5));
        channel_.send("STLS\r\n", deadline());
        channel_.observe(std::chrono::seconds(5));
        channel_.handshake(deadline());
        for (const char* line : {"USER load1\r\n", "PASS load1-pw\r\n"}) {
            channel_.send(line, deadline());
            const run::Observation answer = channel_.observe(std::chrono::seconds(5));
            EXPECT_EQ(answer.response.status, proto::pop3::Status::ok) << line;
        }
    }
    void release() {
        channel_.send("QUIT\r\n", transport::Clock::now() + std::chrono::seconds(5));
        channel_.observe(std::chrono::seconds(5));
        channel_.close();
    }

  private:
    transport::TranscriptRecorder transcript_{0};
    run::Channel channel_;
};

// Plays `conversation` on an io_context of its own; `meanwhile` runs after `head_start` of it.
template <typename Meanwhile>
Execution execute_while(const Conversation& conversation, const TargetSettings& target,
                        std::chrono::milliseconds head_start, Meanwhile meanwhile) {
    boost::asio::io_context io(1);
    std::optional<Execution> result;
    boost::asio::co_spawn(io, execute_async(conversation, target),
                          [&](std::exception_ptr failure, Execution execution) {
                              EXPECT_FALSE(failure);
                              result = std::move(execution);
                          });
    io.run_for(head_start);
    meanwhile();
    io.run();
    EXPECT_TRUE(result);
    return result ? std::move(*result) : Execution{};
}

// The account's last session has not ended on the server yet (an early-close mutant, or a
// conversation cut short by a verdict, left it for the server to notice) when the next
// conversation of the account logs in: PASS gets -ERR [IN-USE] (RFC 1939 8, RFC 2449 8.1.1).
// The conversation is played again once the lock is free, and judged by that.
TEST_F(ExecutorAgainstReference, ALoginThatMeetsTheLastSessionsLockIsPlayedAgainWhenItIsFree) {
    LockHolder holder(pop3_);
    // In TRANSACTION, STAT is answered +OK; in AUTHORIZATION -ERR, and at the error limit the
    // server closes: a desync when judged as if the login had succeeded.
    std::string stats;
    for (int i = 0; i < 30; ++i) {
        stats += "STAT\r\n";
    }
    const Execution execution = execute_while(
        logged_in(stats, false), pop3_, std::chrono::milliseconds(100), [&] { holder.release(); });
    EXPECT_FALSE(execution.verdict)
        << execution.verdict->state << ": " << execution.verdict->detail;
    EXPECT_TRUE(execution.states.contains("PASS>+OK"));
    EXPECT_TRUE(execution.states.contains("STAT>+OK"));
    EXPECT_FALSE(execution.states.contains("PASS>-ERR"));
}

// A lock that outlives the timeout is the server's fault: a finding.
TEST_F(ExecutorAgainstReference, AMaildropLockedForLongerThanTheTimeoutIsADesync) {
    LockHolder holder(pop3_);
    pop3_.timeout = std::chrono::milliseconds(300);
    const Execution execution = execute(logged_in("STAT\r\n", false), pop3_);
    holder.release();
    ASSERT_TRUE(execution.verdict);
    EXPECT_EQ(execution.verdict->oracle, Oracle::desync);
    EXPECT_EQ(execution.verdict->state, "PASS");
    EXPECT_NE(execution.verdict->detail.find("IN-USE"), std::string::npos)
        << execution.verdict->detail;
}

}  // namespace
}  // namespace mh::harness::fuzz
