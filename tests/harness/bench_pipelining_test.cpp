// bench smtp --pipelining with connection reuse: one round trip per message (a message's content
// and the next envelope in one write, RFC 2920 3.1), replies matched by counting, and refusals
// in the middle of a group counted once without losing step with the server.
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "harness/bench/engine.hpp"
#include "harness/bench/smtp_load.hpp"
#include "tests/harness/bench_smtp_test_server.hpp"

namespace mh::harness::bench {
namespace {

using namespace std::chrono_literals;
using boost::asio::ip::make_address;
using boost::asio::ip::tcp;

struct Run {
    unsigned recipients = 1;
    std::uint64_t messages = 60;
};

Report pipelined(const testing::SmtpTestServer& server, Run run = {}) {
    const MessageFactory factory({{1024, 1}}, "bench@example.test", "alice@example.test", "");
    SmtpLoadOptions options;
    options.endpoint = tcp::endpoint(make_address("127.0.0.1"), server.port());
    options.pipelining = true;
    options.recipients = run.recipients;
    options.to = {"alice@example.test", "bob@example.test"};
    options.messages = &factory;
    EngineOptions engine;
    engine.concurrency = 1;  // the test server takes one connection at a time
    engine.pacing.units = run.messages;
    engine.idle_timeout = 20s;
    Report report;
    run_load(engine, smtp_session(options), report);
    return report;
}

testing::SmtpTestRules refusing(
    std::function<std::string(int mail, std::string_view command)> reply) {
    testing::SmtpTestRules rules;
    rules.reply = std::move(reply);
    return rules;
}

TEST(BenchPipelining, TheContentAndTheNextEnvelopeGoInOneWrite) {
    // The server holds each 250 after a content until the client's next line arrives (or
    // 200 ms): every content but the last must be followed by the next envelope unasked.
    testing::SmtpTestRules rules;
    rules.wait_for_next_line = 200ms;
    testing::SmtpTestServer server(rules);
    const Report report = pipelined(server, {.messages = 30});
    EXPECT_EQ(report.stats.units, 30u);
    EXPECT_EQ(report.stats.error_count(), 0u);
    EXPECT_EQ(report.stats.bytes, 30u * 1024u);
    EXPECT_EQ(server.delivered.load(), 30);
    EXPECT_EQ(server.overlapped.load(), 29);
    EXPECT_EQ(server.connections.load(), 1);
    for (const char* command : {"MAIL", "RCPT", "DATA", "."})
        EXPECT_EQ(report.stats.commands.at(command).count(), 30u) << command;
}

TEST(BenchPipelining, RefusalsMidGroupAreCountedOnceAndTheSessionStaysInStep) {
    // Transaction 10's MAIL gets a 451 (its RCPT and DATA then a 503, as out of sequence);
    // transaction 20's RCPT a 452 and its DATA a 554. Each is one failed message; the next
    // group starts with RSET, and the connection is kept.
    testing::SmtpTestServer server(refusing([](int mail, std::string_view command) -> std::string {
        if (mail == 10)
            return command == "MAIL" ? "451 4.3.0 try later" : "503 5.5.1 no MAIL";
        if (mail == 20 && command == "RCPT")
            return "452 4.2.2 mailbox full";
        if (mail == 20 && command == "DATA")
            return "554 5.5.1 no valid recipients";
        return "";
    }));
    const Report report = pipelined(server);
    EXPECT_EQ(report.stats.units, 58u);
    EXPECT_EQ(report.stats.error_count(), 2u);
    EXPECT_EQ(report.stats.errors.at("4xx"), 2u);
    EXPECT_EQ(report.stats.errors_by_command.at("MAIL 451"), 1u);
    EXPECT_EQ(report.stats.errors_by_command.at("RCPT 452"), 1u);
    EXPECT_EQ(server.delivered.load(), 58);
    EXPECT_EQ(server.resets.load(), 2);
    EXPECT_EQ(server.connections.load(), 1);
    EXPECT_EQ(report.stats.latency.count(), 58u);
}

TEST(BenchPipelining, ADataAcceptedAfterARefusedRecipientGetsASingleDot) {
    // Two recipients; transaction 5's second RCPT gets a 452 but its DATA a 354 (the first
    // recipient was accepted): the client must end it with a lone dot, not the message.
    testing::SmtpTestServer server(
        refusing([rcpts = 0](int, std::string_view command) mutable -> std::string {
            if (command == "RCPT" && rcpts++ == 11)  // the second RCPT of transaction 5
                return "452 4.2.2 mailbox full";
            return "";
        }));
    const Report report = pipelined(server, {.recipients = 2, .messages = 20});
    EXPECT_EQ(report.stats.units, 19u);
    EXPECT_EQ(report.stats.errors_by_command.at("RCPT 452"), 1u);
    EXPECT_EQ(report.stats.error_count(), 1u);
    EXPECT_EQ(server.empty.load(), 1);
    EXPECT_EQ(server.delivered.load(), 19);
    EXPECT_EQ(server.resets.load(), 1);
    EXPECT_EQ(server.connections.load(), 1);
}

TEST(BenchPipelining, A421ClosesTheConnectionAndTheSessionReconnects) {
    // The content before the 421 was accepted; the refused message counts once (not again as
    // the connection's end), and the session goes on with a new connection.
    testing::SmtpTestServer server(refusing([](int mail, std::string_view command) -> std::string {
        return mail == 7 && command == "MAIL" ? "421 4.3.2 shutting down" : "";
    }));
    const Report report = pipelined(server, {.messages = 20});
    EXPECT_EQ(report.stats.units, 19u);
    EXPECT_EQ(report.stats.error_count(), 1u);
    EXPECT_EQ(report.stats.errors_by_command.at("MAIL 421"), 1u);
    EXPECT_EQ(server.delivered.load(), 19);
    EXPECT_EQ(server.connections.load(), 2);
}

}  // namespace
}  // namespace mh::harness::bench
