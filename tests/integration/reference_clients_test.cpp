// The reference server against real clients no one here wrote: Python's smtplib and poplib,
// swaks and curl. Each delivered message is compared byte for byte with what was sent.
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "../reference/temp_dir.hpp"
#include "process.hpp"
#include "reference/embedded.hpp"

namespace mh::integration {
namespace {

using reference::testing::TempDir;

const std::string python = "/usr/bin/python3";
const std::string clients_dir = MH_INTEGRATION_CLIENTS;

// A message with a leading-dot line (dot-stuffing both ways), an empty line and a long line.
std::string sample_message(const std::string& tag) {
    return "From: Alice <alice@example.test>\r\n"
           "To: Bob <bob@example.test>\r\n"
           "Subject: " +
           tag +
           "\r\n"
           "Message-ID: <" +
           tag +
           "@client.example.test>\r\n"
           "\r\n"
           "Hello Bob,\r\n"
           ".a line that starts with a dot\r\n"
           "..and one with two\r\n"
           "\r\n" +
           std::string(900, 'x') +
           "\r\n"
           "bye\r\n";
}

// swaks always sends CRLF before the final ".", so its --data file omits the message's last
// CRLF for the wire bytes to be exactly `message`.
std::string swaks_data(const std::string& message) {
    return message.substr(0, message.size() - 2);
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

std::vector<std::filesystem::path> files_in(const std::filesystem::path& dir) {
    std::vector<std::filesystem::path> out;
    if (std::filesystem::exists(dir)) {
        for (const auto& entry : std::filesystem::directory_iterator(dir)) {
            out.push_back(entry.path());
        }
    }
    return out;
}

// Splits a stored message into its leading Received: field (with folded lines) and the rest.
std::pair<std::string, std::string> split_received(const std::string& stored) {
    if (stored.rfind("Received: ", 0) != 0) {
        return {"", stored};
    }
    std::size_t end = stored.find("\r\n");
    while (end != std::string::npos && end + 2 < stored.size() &&
           (stored[end + 2] == ' ' || stored[end + 2] == '\t')) {
        end = stored.find("\r\n", end + 2);
    }
    if (end == std::string::npos) {
        return {"", stored};
    }
    return {stored.substr(0, end + 2), stored.substr(end + 2)};
}

class ReferenceClients : public ::testing::Test {
  protected:
    void SetUp() override {
        server_ = reference::EmbeddedServer::start(root_.path());
        ports_ = server_->endpoints();
    }
    void TearDown() override { server_->stop(); }

    std::filesystem::path write_message(const std::string& name, const std::string& content) {
        const auto path = root_.path() / name;
        std::ofstream(path, std::ios::binary) << content;
        return path;
    }

    std::filesystem::path mailbox(const std::string& account) const {
        return root_.path() / account / "Maildir" / "new";
    }

    // The one message in the mailbox is exactly Received: + `sent`.
    void expect_delivered(const std::string& account, const std::string& sent) {
        const auto files = files_in(mailbox(account));
        ASSERT_EQ(files.size(), 1U) << "messages in " << mailbox(account);
        const auto [received, rest] = split_received(read_file(files[0]));
        EXPECT_EQ(received.rfind("Received: from ", 0), 0U) << received;
        EXPECT_NE(received.find("by mx.example.test"), std::string::npos) << received;
        EXPECT_NE(received.find("ESMTPSA"), std::string::npos)
            << "TLS and AUTH show in the with clause (RFC 3848): " << received;
        EXPECT_EQ(rest, sent);
        EXPECT_TRUE(files_in(root_.path() / account / "Maildir" / "tmp").empty());
    }

    std::string port(std::uint16_t number) const { return std::to_string(number); }

    TempDir root_;
    std::unique_ptr<reference::EmbeddedServer> server_;
    reference::EmbeddedEndpoints ports_;
};

TEST_F(ReferenceClients, PythonSmtplibStartTlsAuthPlain) {
    const std::string message = sample_message("smtplib");
    const auto file = write_message("m.eml", message);
    const auto result = run_process({require_program(python), clients_dir + "/smtplib_send.py",
                                     "127.0.0.1", port(ports_.smtp), "alice", "alice-pw",
                                     "alice@example.test", "bob@example.test", file.string()});
    ASSERT_EQ(result.exit_code, 0) << result.output;
    expect_delivered("bob", message);
}

TEST_F(ReferenceClients, SwaksPipelinedStartTlsAuthLogin) {
    const std::string message = sample_message("swaks");
    const auto file = write_message("m.eml", swaks_data(message));
    const auto result = run_process({require_program("/usr/bin/swaks"),
                                     "--server",
                                     "127.0.0.1",
                                     "--port",
                                     port(ports_.smtp),
                                     "--tls",
                                     "--auth",
                                     "LOGIN",
                                     "--auth-user",
                                     "alice",
                                     "--auth-password",
                                     "alice-pw",
                                     "--pipeline",
                                     "--from",
                                     "alice@example.test",
                                     "--to",
                                     "bob@example.test",
                                     "--data",
                                     "@" + file.string(),
                                     "--timeout",
                                     "30"});
    ASSERT_EQ(result.exit_code, 0) << result.output;
    EXPECT_NE(result.output.find("STARTTLS"), std::string::npos) << result.output;
    expect_delivered("bob", message);
}

TEST_F(ReferenceClients, SwaksImplicitTlsOnSubmissionsPort) {
    const std::string message = sample_message("swaks-tlsc");
    const auto file = write_message("m.eml", swaks_data(message));
    const auto result = run_process({require_program("/usr/bin/swaks"),
                                     "--server",
                                     "127.0.0.1",
                                     "--port",
                                     port(ports_.smtps),
                                     "--tlsc",
                                     "--auth",
                                     "PLAIN",
                                     "--auth-user",
                                     "bob",
                                     "--auth-password",
                                     "bob-pw",
                                     "--from",
                                     "bob@example.test",
                                     "--to",
                                     "alice@example.test",
                                     "--data",
                                     "@" + file.string(),
                                     "--timeout",
                                     "30"});
    ASSERT_EQ(result.exit_code, 0) << result.output;
    expect_delivered("alice", message);
}

TEST_F(ReferenceClients, CurlStartTlsWithUser) {
    const std::string message = sample_message("curl");
    const auto file = write_message("m.eml", message);
    const auto result = run_process(
        {require_program("/usr/bin/curl"), "--silent", "--show-error", "--ssl-reqd", "-k", "--user",
         "alice:alice-pw", "--mail-from", "alice@example.test", "--mail-rcpt", "bob@example.test",
         "--upload-file", file.string(), "smtp://127.0.0.1:" + port(ports_.submission)});
    ASSERT_EQ(result.exit_code, 0) << result.output;
    expect_delivered("bob", message);
}

TEST_F(ReferenceClients, CurlImplicitTls) {
    const std::string message = sample_message("curl-smtps");
    const auto file = write_message("m.eml", message);
    const auto result = run_process(
        {require_program("/usr/bin/curl"), "--silent", "--show-error", "-k", "--user", "bob:bob-pw",
         "--mail-from", "bob@example.test", "--mail-rcpt", "alice@example.test", "--upload-file",
         file.string(), "smtps://127.0.0.1:" + port(ports_.smtps)});
    ASSERT_EQ(result.exit_code, 0) << result.output;
    expect_delivered("alice", message);
}

TEST_F(ReferenceClients, NotAnOpenRelay) {
    const auto file = write_message("m.eml", sample_message("relay"));
    const auto denied = run_process({require_program("/usr/bin/curl"), "--silent", "--show-error",
                                     "--ssl-reqd", "-k", "--mail-from", "alice@example.test",
                                     "--mail-rcpt", "someone@elsewhere.test", "--upload-file",
                                     file.string(), "smtp://127.0.0.1:" + port(ports_.smtp)});
    EXPECT_NE(denied.exit_code, 0) << denied.output;
    EXPECT_TRUE(files_in(root_.path() / ".relay-queue" / "new").empty());

    const auto relayed =
        run_process({require_program("/usr/bin/curl"), "--silent", "--show-error", "--ssl-reqd",
                     "-k", "--user", "alice:alice-pw", "--mail-from", "alice@example.test",
                     "--mail-rcpt", "someone@elsewhere.test", "--upload-file", file.string(),
                     "smtp://127.0.0.1:" + port(ports_.smtp)});
    ASSERT_EQ(relayed.exit_code, 0) << relayed.output;
    const auto queued = files_in(root_.path() / ".relay-queue" / "new");
    ASSERT_EQ(queued.size(), 1U);
    EXPECT_EQ(read_file(queued[0]).rfind("MAIL FROM:<alice@example.test>\r\n"
                                         "RCPT TO:<someone@elsewhere.test>\r\nDATA\r\nReceived: ",
                                         0),
              0U);
}

TEST_F(ReferenceClients, SubmissionRequiresAuth) {
    const auto file = write_message("m.eml", sample_message("noauth"));
    const auto result =
        run_process({require_program("/usr/bin/swaks"), "--server", "127.0.0.1", "--port",
                     port(ports_.submission), "--tls", "--from", "alice@example.test", "--to",
                     "bob@example.test", "--data", "@" + file.string(), "--timeout", "30"});
    EXPECT_NE(result.exit_code, 0) << result.output;
    EXPECT_NE(result.output.find("530 5.7.0"), std::string::npos) << result.output;
    EXPECT_TRUE(files_in(mailbox("bob")).empty());
}

TEST_F(ReferenceClients, PoplibFetchesWhatSmtplibDelivered) {
    const std::string message = sample_message("roundtrip");
    const auto file = write_message("m.eml", message);
    const auto sent = run_process({require_program(python), clients_dir + "/smtplib_send.py",
                                   "127.0.0.1", port(ports_.smtp), "alice", "alice-pw",
                                   "alice@example.test", "bob@example.test", file.string()});
    ASSERT_EQ(sent.exit_code, 0) << sent.output;
    ASSERT_NE(ports_.pop3, 0);
    const auto fetched = run_process({python, clients_dir + "/poplib_fetch.py", "127.0.0.1",
                                      port(ports_.pop3), "bob", "bob-pw"});
    ASSERT_EQ(fetched.exit_code, 0) << fetched.output;
    const auto files = files_in(mailbox("bob"));
    ASSERT_EQ(files.size(), 1U);
    const std::string stored = read_file(files[0]);
    std::ostringstream hex;
    for (const char byte : stored) {
        const auto c = static_cast<unsigned char>(byte);
        static constexpr char digits[] = "0123456789abcdef";
        hex << digits[c >> 4] << digits[c & 15];
    }
    EXPECT_EQ(fetched.output, files[0].filename().string() + " " + hex.str() + "\n");
}

// stop() must not wait for an idle client, and must free its session cleanly (ASan build).
TEST(EmbeddedServer, StopsPromptlyWithAnIdleSessionOpen) {
    TempDir root;
    auto server = reference::EmbeddedServer::start(root.path());
    namespace asio = boost::asio;
    asio::io_context io;
    asio::ip::tcp::socket client(io);
    client.connect({asio::ip::make_address("127.0.0.1"), server->endpoints().smtp});
    std::string greeting(3, '\0');
    asio::read(client, asio::buffer(greeting));
    EXPECT_EQ(greeting, "220");
    const auto started = std::chrono::steady_clock::now();
    server->stop();
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
    server->stop();  // idempotent
}

}  // namespace
}  // namespace mh::integration
