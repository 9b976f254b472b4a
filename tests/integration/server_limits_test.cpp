// Resource bounds of the reference server (issue 8): connection limits, command and session
// time limits, error counters, the failed-login delay, and the goodbye when it stops.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "tests/integration/line_client.hpp"
#include "tests/integration/test_server.hpp"

namespace mh::integration {
namespace {

using namespace std::chrono_literals;
using reference::Service;
using Clock = std::chrono::steady_clock;

TEST(ServerLimits, ConnectionsPerAddressAreBoundedAndFreedOnClose) {
    TestServer server([](reference::Config& c) { c.server_limits.connections_per_address = 2; });
    const auto port = server.port(Service::smtp);
    LineClient first(port);
    LineClient second(port);
    EXPECT_EQ(first.reply().substr(0, 4), "220 ");
    EXPECT_EQ(second.reply().substr(0, 4), "220 ");
    LineClient third(port);
    EXPECT_EQ(third.reply().substr(0, 10), "421 4.7.0 ");
    EXPECT_TRUE(third.closed());
    // POP3 says it in its own words (RFC 3206 4 [SYS/TEMP]); the limit spans listeners.
    LineClient pop(server.port(Service::pop3));
    EXPECT_EQ(pop.line().substr(0, 15), "-ERR [SYS/TEMP]");
    first.command("QUIT");
    ASSERT_TRUE(first.closed());
    for (int i = 0; i < 100 && server.server().active_sessions() > 1; ++i) {
        std::this_thread::sleep_for(10ms);
    }
    LineClient again(port);
    EXPECT_EQ(again.reply().substr(0, 4), "220 ");
}

TEST(ServerLimits, TotalConnectionsAreBounded) {
    TestServer server([](reference::Config& c) { c.server_limits.connections = 1; });
    LineClient first(server.port(Service::pop3));
    EXPECT_EQ(first.line().substr(0, 3), "+OK");
    LineClient second(server.port(Service::smtp));
    EXPECT_EQ(second.reply().substr(0, 10), "421 4.7.0 ");
}

TEST(ServerLimits, ATricklingCommandTimesOutAsAWhole) {
    TestServer server([](reference::Config& c) { c.timeouts.smtp_command = 1s; });
    LineClient client(server.port(Service::smtp));
    ASSERT_EQ(client.reply().substr(0, 4), "220 ");
    const auto start = Clock::now();
    // One byte every 200 ms keeps the idle timer happy, never the command timer.
    std::string reply;
    for (char c : std::string("EHLO slow.example.test")) {
        client.send(std::string(1, c));
        reply = client.line(200ms);
        if (!reply.empty()) {
            break;
        }
    }
    EXPECT_EQ(reply.substr(0, 10), "421 4.4.2 ");
    EXPECT_GE(since(start), 900ms);
    EXPECT_LT(since(start), 3000ms);
    EXPECT_TRUE(client.closed());
}

TEST(ServerLimits, ASessionHasATimeLimitHoweverBusy) {
    TestServer server([](reference::Config& c) { c.timeouts.session = 1s; });
    LineClient client(server.port(Service::smtp));
    ASSERT_EQ(client.reply().substr(0, 4), "220 ");
    std::string reply;
    const auto start = Clock::now();
    while (since(start) < 4s) {
        reply = client.command("NOOP");
        if (reply.substr(0, 3) != "250") {
            break;
        }
        std::this_thread::sleep_for(100ms);
    }
    EXPECT_EQ(reply.substr(0, 10), "421 4.4.2 ");
    EXPECT_LT(since(start), 3000ms);
}

TEST(ServerLimits, MessagesPerSessionAreBounded) {
    TestServer server([](reference::Config& c) { c.limits.max_messages_per_session = 2; });
    LineClient client(server.port(Service::smtp));
    client.reply();
    client.command("EHLO client.example.test");
    for (int i = 0; i < 2; ++i) {
        ASSERT_EQ(
            send_mail(client, "alice@example.test", "Subject: n\r\n\r\nbody\r\n").substr(0, 3),
            "250");
    }
    EXPECT_EQ(client.command("MAIL FROM:<x@client.example.test>").substr(0, 10), "421 4.7.0 ");
    EXPECT_TRUE(client.closed());
}

TEST(ServerLimits, JunkCommandsAreSlowedThenCutOff) {
    TestServer server([](reference::Config& c) {
        c.limits.soft_error_limit = 2;
        c.limits.hard_error_limit = 5;
        c.server_limits.error_delay = 500ms;
    });
    LineClient client(server.port(Service::smtp));
    client.reply();
    auto timed = [&](const char* junk) {
        const auto start = Clock::now();
        const std::string reply = client.command(junk);
        return std::pair{reply, since(start)};
    };
    auto [r1, t1] = timed("JUNK1");
    auto [r2, t2] = timed("JUNK2");
    EXPECT_EQ(r1.substr(0, 3), "500");
    EXPECT_LT(t2, 400ms);  // up to the soft limit: no delay (upper bounds leave room for load)
    auto [r3, t3] = timed("JUNK3");
    EXPECT_EQ(r3.substr(0, 3), "500");
    EXPECT_GE(t3, 490ms);  // one error past the soft limit
    auto [r4, t4] = timed("JUNK4");
    EXPECT_GE(t4, 990ms);  // two past it
    auto [r5, t5] = timed("JUNK5");
    EXPECT_EQ(r5.substr(0, 3), "500");  // the hard limit: answered, then 421
    EXPECT_EQ(client.reply().substr(0, 10), "421 4.7.0 ");
    EXPECT_TRUE(client.closed());
}

TEST(ServerLimits, FailedLoginsWaitLongerPerAddressWithoutSlowingOthers) {
    TestServer server([](reference::Config& c) {
        c.auth_requires_tls = false;
        c.server_limits.auth_failure_delay = 400ms;
        c.server_limits.auth_failure_delay_max = 1000ms;
    });
    LineClient guesser(server.port(Service::pop3));
    LineClient bystander(server.port(Service::smtp));
    guesser.line();
    bystander.reply();
    bystander.command("EHLO client.example.test");
    std::vector<std::chrono::milliseconds> delays;
    for (int i = 0; i < 4; ++i) {
        guesser.send("USER alice\r\n");
        ASSERT_EQ(guesser.line().substr(0, 3), "+OK");
        const auto start = Clock::now();
        guesser.send("PASS wrong\r\n");
        std::thread other([&] {
            // While the guesser waits, another session is served at once.
            const auto noop_start = Clock::now();
            EXPECT_EQ(bystander.command("NOOP").substr(0, 3), "250");
            EXPECT_LT(since(noop_start), 300ms);
        });
        EXPECT_EQ(guesser.line().substr(0, 4), "-ERR");
        delays.push_back(since(start));
        other.join();
    }
    EXPECT_GE(delays[0], 390ms);
    EXPECT_GE(delays[1], 790ms);
    EXPECT_GE(delays[2], 990ms);  // capped at the maximum
    EXPECT_LT(delays[3], 2500ms);
    // SMTP AUTH failures from the same address continue the count.
    const auto start = Clock::now();
    EXPECT_EQ(bystander.command("AUTH PLAIN AGFsaWNlAHdyb25n").substr(0, 3), "535");
    EXPECT_GE(since(start), 990ms);
}

TEST(ServerLimits, StoppingSaysGoodbyeToIdleSessionsAndLetsContentFinish) {
    TestServer server;
    LineClient idle(server.port(Service::smtp));
    LineClient busy(server.port(Service::smtp));
    idle.reply();
    busy.reply();
    busy.command("EHLO client.example.test");
    busy.command("MAIL FROM:<x@client.example.test>");
    busy.command("RCPT TO:<alice@example.test>");
    ASSERT_EQ(busy.command("DATA").substr(0, 3), "354");
    std::thread stopper([&] { server.server().stop(5s); });
    // RFC 5321 3.8: the idle session hears 421 before the close.
    EXPECT_EQ(idle.reply().substr(0, 10), "421 4.3.2 ");
    EXPECT_TRUE(idle.closed());
    // The session receiving content may finish its message, then hears 421 too.
    EXPECT_EQ(busy.command("Subject: s\r\n\r\nbody\r\n.").substr(0, 3), "250");
    EXPECT_EQ(busy.reply().substr(0, 10), "421 4.3.2 ");
    const auto start = Clock::now();
    stopper.join();
    EXPECT_LT(since(start), 2000ms);
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(server.new_dir("alice")),
                            std::filesystem::directory_iterator{}),
              1);
}

}  // namespace
}  // namespace mh::integration
