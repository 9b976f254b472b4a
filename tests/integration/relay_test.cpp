// The relay inside the reference server: a message submitted to the sender's server goes to a
// scripted next hop. Retries after 4xx and after a refused connection, a DSN on 5xx, the queue
// across a restart, and no bounce for a bounce.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>

#include "../reference/temp_dir.hpp"
#include "reference/clients/send_client.hpp"
#include "reference/server/server.hpp"
#include "reference/store/maildir.hpp"
#include "relay_helpers.hpp"
#include "scripted_smtp_hop.hpp"

namespace mh::integration {
namespace {

using namespace std::chrono_literals;
using reference::testing::TempDir;

const std::string message_text =
    "From: <dave@origin.test>\r\nTo: <carol@remote.test>\r\nSubject: relay test\r\n\r\n"
    "first line\r\n.leading dot\r\nlast line\r\n";

class RelayTest : public ::testing::Test {
  protected:
    reference::Config sender_config(std::uint16_t next_hop_port) const {
        reference::Config config;
        config.hostname = "mx.origin.test";
        config.domains = {"origin.test"};
        config.maildir = root_.path() / "origin";
        config.threads = 2;
        config.quiet = false;  // the relay's lines show in a failed test's output
        config.listeners.submission = {{"127.0.0.1", 0}};
        reference::Account dave;
        dave.name = "dave";
        dave.addresses = {"dave@origin.test"};
        std::string why;
        dave.password = *reference::parse_password_hash(
            reference::hash_password("dave-pw", reference::test_profile_iterations), why);
        config.accounts = {dave};
        config.relay.routes = {{"remote.test", {"127.0.0.1", next_hop_port}}};
        config.relay.retry.first = 1s;
        config.relay.retry.max_interval = 1s;
        config.relay.scan_interval = 100ms;
        config.relay.timeouts.connect = 5s;
        config.relay.timeouts.command = 5s;
        return config;
    }

    void submit(const reference::Server& server, const std::string& to = "carol@remote.test") {
        reference::clients::SendOptions options;
        options.port = server.listeners().front().endpoint.port;
        options.tls_settings.verify = false;
        options.auth = reference::clients::SmtpCredentials{"dave", "dave-pw"};
        options.from = "dave@origin.test";
        options.recipients = {to};
        options.message = message_text;
        reference::clients::send_message(options);
    }

    std::filesystem::path queue_new() const { return root_.path() / "origin/.relay-queue/new"; }
    std::filesystem::path dave_new() const { return root_.path() / "origin/dave/Maildir/new"; }

    // What the scripted hop got, unstuffed, without the final dot.
    static std::string unstuffed(std::string wire) {
        wire.erase(wire.size() - 3);  // ".\r\n"
        std::string out;
        std::size_t pos = 0;
        while (pos < wire.size()) {
            const auto end = wire.find("\r\n", pos) + 2;
            std::string_view line(wire.data() + pos, end - pos);
            out += line.starts_with('.') ? line.substr(1) : line;
            pos = end;
        }
        return out;
    }

    TempDir root_;
};

TEST_F(RelayTest, RetriesAfterATemporaryFailureThenDeliversOnce) {
    ScriptedSmtpHop hop([](int connection, const std::string& line) {
        if (connection == 1 && line.starts_with("RCPT")) {
            return std::string("451 4.3.0 try again later\r\n");
        }
        return willing_reply(line);
    });
    reference::Server server(sender_config(hop.port()));
    server.start();
    submit(server);
    ASSERT_TRUE(eventually([&] { return files_in(queue_new()).empty(); }));
    ASSERT_EQ(hop.messages().size(), 1U);
    EXPECT_GE(hop.connections(), 2);
    const std::string delivered = unstuffed(hop.messages()[0]);
    EXPECT_TRUE(delivered.starts_with("Received: ")) << delivered;
    EXPECT_TRUE(delivered.ends_with(message_text)) << delivered;
    // PIPELINING: the first attempt sent MAIL, RCPT and DATA before any reply; SIZE declared.
    const auto commands = hop.commands();
    const auto mail = std::find_if(commands.begin(), commands.end(),
                                   [](const auto& c) { return c.starts_with("MAIL FROM:"); });
    ASSERT_NE(mail, commands.end());
    EXPECT_NE(mail->find(" SIZE="), std::string::npos) << *mail;
    server.stop(0ms);
    EXPECT_EQ(hop.messages().size(), 1U);
}

TEST_F(RelayTest, TheDeliveryIsRecordedAtTheNextHopsReplyBeforeQuit) {
    // A crash during QUIT or the close must not resend (docs/relay.md: the duplicate window is
    // only the state file's fsync). The hop looks at the state file when QUIT arrives.
    const auto state_dir = root_.path() / "origin/.relay-queue/state";
    std::mutex mutex;
    std::string state_at_quit;
    ScriptedSmtpHop hop([&](int, const std::string& line) {
        if (line == "QUIT") {
            std::lock_guard lock(mutex);
            for (const auto& file : files_in(state_dir)) {
                state_at_quit += slurp(file);
            }
        }
        return willing_reply(line);
    });
    reference::Server server(sender_config(hop.port()));
    server.start();
    submit(server);
    ASSERT_TRUE(eventually([&] { return files_in(queue_new()).empty(); }));
    server.stop(0ms);
    std::lock_guard lock(mutex);
    EXPECT_NE(state_at_quit.find("done carol@remote.test\n"), std::string::npos) << state_at_quit;
}

TEST_F(RelayTest, ADeliveryRecordedAtTheNextHopsReplyIsNotResentAfterARestart) {
    // The relay stops as if killed after the hop's 250, while it waits for QUIT's reply: the
    // message is still queued, and the next start finishes it without a second copy.
    std::mutex mutex;
    std::condition_variable changed;
    bool quit_seen = false;
    bool released = false;
    ScriptedSmtpHop hop([&](int, const std::string& line) {
        if (line == "QUIT") {
            std::unique_lock lock(mutex);
            quit_seen = true;
            changed.notify_all();
            changed.wait(lock, [&] { return released; });
        }
        return willing_reply(line);
    });
    auto release = [&] {
        std::lock_guard lock(mutex);
        released = true;
        changed.notify_all();
    };
    // Declared after the hop: lets its thread go before the hop joins it, whatever fails.
    struct Releaser {
        std::function<void()> release;
        ~Releaser() { release(); }
    } const releaser{release};
    {
        reference::Server server(sender_config(hop.port()));
        server.start();
        submit(server);
        std::unique_lock lock(mutex);
        ASSERT_TRUE(changed.wait_for(lock, 20s, [&] { return quit_seen; }));
        lock.unlock();
        server.stop(0ms);
    }
    ASSERT_EQ(files_in(queue_new()).size(), 1U) << "stopped before the message left the queue";
    release();
    reference::Server restarted(sender_config(hop.port()));
    restarted.start();
    ASSERT_TRUE(eventually([&] { return files_in(queue_new()).empty(); }));
    restarted.stop(0ms);
    EXPECT_EQ(hop.messages().size(), 1U);
    EXPECT_EQ(hop.connections(), 1);
}

TEST_F(RelayTest, PermanentFailureBouncesADeliveryStatusNotificationToTheSender) {
    ScriptedSmtpHop hop([](int, const std::string& line) {
        if (line.starts_with("RCPT")) {
            return std::string("550 5.1.1 <carol@remote.test>: no such user\r\n");
        }
        return willing_reply(line);
    });
    reference::Server server(sender_config(hop.port()));
    server.start();
    submit(server);
    ASSERT_TRUE(eventually([&] { return files_in(dave_new()).size() == 1; }));
    EXPECT_TRUE(eventually([&] { return files_in(queue_new()).empty(); }));
    EXPECT_TRUE(hop.messages().empty());
    const std::string dsn = slurp(files_in(dave_new())[0]);
    for (const char* expected :
         {"From: Mail Delivery System <MAILER-DAEMON@mx.origin.test>\r\n",
          "To: <dave@origin.test>\r\n",
          "Content-Type: multipart/report; report-type=delivery-status;",
          "Content-Type: message/delivery-status\r\n", "Reporting-MTA: dns; mx.origin.test\r\n",
          "Final-Recipient: rfc822; carol@remote.test\r\n", "Action: failed\r\n",
          "Status: 5.1.1\r\n", "Remote-MTA: dns; 127.0.0.1\r\n",
          "Diagnostic-Code: smtp; 550 5.1.1 <carol@remote.test>: no such user\r\n",
          "Content-Type: text/rfc822-headers\r\n", "Subject: relay test\r\n"}) {
        EXPECT_NE(dsn.find(expected), std::string::npos) << expected << "\n" << dsn;
    }
    // RFC 3461 6.3 (a), (d): without ENVID and ORCPT these fields must not appear.
    EXPECT_EQ(dsn.find("Original-Envelope-ID"), std::string::npos);
    EXPECT_EQ(dsn.find("Original-Recipient"), std::string::npos);
    EXPECT_EQ(dsn.find("first line"), std::string::npos) << "only the headers are returned";
}

TEST_F(RelayTest, ABounceIsNeverBounced) {
    ScriptedSmtpHop hop([](int, const std::string& line) {
        return line.starts_with("RCPT") ? std::string("550 5.1.1 no such user\r\n")
                                        : willing_reply(line);
    });
    auto config = sender_config(hop.port());
    // A DSN someone else sent, queued by hand in the server's own format.
    reference::ensure_maildir(config.maildir / ".relay-queue");
    std::ofstream(queue_new() / "1.bounce.test", std::ios::binary)
        << "MAIL FROM:<>\r\nRCPT TO:<carol@remote.test>\r\nDATA\r\n"
        << message_text;
    reference::Server server(config);
    server.start();
    ASSERT_TRUE(eventually([&] { return files_in(queue_new()).empty(); }));
    EXPECT_GE(hop.connections(), 1);
    EXPECT_TRUE(files_in(dave_new()).empty());
}

TEST_F(RelayTest, ADeadNextHopIsRetriedAndTheQueueSurvivesARestart) {
    const std::uint16_t port = free_port();
    {
        reference::Server server(sender_config(port));
        server.start();
        submit(server);
        ASSERT_EQ(files_in(queue_new()).size(), 1U);
        const auto state =
            root_.path() / "origin/.relay-queue/state" / files_in(queue_new())[0].filename();
        ASSERT_TRUE(eventually([&] { return slurp(state).starts_with("attempts 2\n"); }))
            << slurp(state);
        server.stop(0ms);
    }
    ASSERT_EQ(files_in(queue_new()).size(), 1U) << "the message stays queued";
    ScriptedSmtpHop hop([](int, const std::string& line) { return willing_reply(line); }, port);
    reference::Server restarted(sender_config(port));
    restarted.start();
    ASSERT_TRUE(eventually([&] { return files_in(queue_new()).empty(); }));
    ASSERT_EQ(hop.messages().size(), 1U);
    EXPECT_TRUE(unstuffed(hop.messages()[0]).ends_with(message_text));
    // The state file goes right after the message.
    EXPECT_TRUE(
        eventually([&] { return files_in(root_.path() / "origin/.relay-queue/state").empty(); }));
}

TEST_F(RelayTest, RelaysToAnotherReferenceServerOverStartTlsWhenTlsIsRequired) {
    reference::Config remote;
    remote.hostname = "mx.remote.test";
    remote.domains = {"remote.test"};
    remote.maildir = root_.path() / "remote";
    remote.threads = 2;
    remote.quiet = true;
    remote.listeners.smtp = {{"127.0.0.1", 0}};
    reference::Account carol;
    carol.name = "carol";
    carol.addresses = {"carol@remote.test"};
    std::string why;
    carol.password = *reference::parse_password_hash(
        reference::hash_password("carol-pw", reference::test_profile_iterations), why);
    remote.accounts = {carol};
    reference::Server next_hop(remote);
    next_hop.start();
    auto config = sender_config(next_hop.listeners().front().endpoint.port);
    config.relay.tls.policy = reference::RelayTlsPolicy::required;
    reference::Server server(config);
    server.start();
    submit(server);
    const auto mailbox = root_.path() / "remote/carol/Maildir/new";
    ASSERT_TRUE(eventually([&] { return files_in(mailbox).size() == 1; }));
    const std::string stored = slurp(files_in(mailbox)[0]);
    EXPECT_TRUE(stored.ends_with(message_text)) << stored;
    EXPECT_NE(stored.find("by mx.remote.test with ESMTPS"), std::string::npos) << stored;
    EXPECT_TRUE(eventually([&] { return files_in(queue_new()).empty(); }));
}

TEST_F(RelayTest, RequiredTlsWithoutStartTlsIsATemporaryFailure) {
    ScriptedSmtpHop hop([](int, const std::string& line) { return willing_reply(line); });
    auto config = sender_config(hop.port());
    config.relay.tls.policy = reference::RelayTlsPolicy::required;
    reference::Server server(config);
    server.start();
    submit(server);
    ASSERT_EQ(files_in(queue_new()).size(), 1U);
    const auto state =
        root_.path() / "origin/.relay-queue/state" / files_in(queue_new())[0].filename();
    ASSERT_TRUE(eventually([&] { return slurp(state).starts_with("attempts 1\n"); }));
    EXPECT_TRUE(hop.messages().empty());
    EXPECT_EQ(files_in(queue_new()).size(), 1U) << "kept for a retry, not bounced";
    EXPECT_TRUE(files_in(dave_new()).empty());
}

}  // namespace
}  // namespace mh::integration
