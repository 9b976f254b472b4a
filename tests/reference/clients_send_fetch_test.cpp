// The send and fetch clients against the embedded reference server: submission with STARTTLS
// and AUTH, fetch in keep mode twice (no duplicate) and in delete mode (mailbox empty after),
// every login method, and the errors a user sees (with their exit codes).

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "reference/clients/client_error.hpp"
#include "reference/clients/fetch_client.hpp"
#include "reference/clients/send_client.hpp"
#include "reference/clients/server_address.hpp"
#include "reference/embedded.hpp"
#include "tests/reference/temp_dir.hpp"

namespace mh::reference::clients {
namespace {

std::string read_file(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::size_t files_in(const std::filesystem::path& folder) {
    if (!std::filesystem::exists(folder)) {
        return 0;
    }
    return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator(folder),
                                                  std::filesystem::directory_iterator()));
}

class ClientsTest : public ::testing::Test {
  protected:
    ClientsTest() : server(EmbeddedServer::start(server_root.path() / "maildirs")) {}
    ~ClientsTest() override { server->stop(); }

    SendOptions send_options(std::string body) const {
        SendOptions options;
        options.host = server->endpoints().host;
        options.port = server->endpoints().submission;
        options.tls = SmtpTls::starttls;
        options.tls_settings.verify = false;  // the embedded server's certificate is self-signed
        options.auth = SmtpCredentials{"bob", "bob-pw"};
        options.from = "bob@example.test";
        options.recipients = {"alice@example.test"};
        options.message = compose_message(options.from, options.recipients, "test", body);
        options.timeout = std::chrono::seconds(10);
        return options;
    }

    FetchOptions fetch_options(const std::filesystem::path& maildir) const {
        FetchOptions options;
        options.host = server->endpoints().host;
        options.port = server->endpoints().pop3;
        options.tls = Pop3Tls::stls;
        options.tls_settings.verify = false;
        options.user = "alice";
        options.password = "alice-pw";
        options.maildir = maildir;
        options.timeout = std::chrono::seconds(10);
        return options;
    }

    testing::TempDir server_root;
    testing::TempDir local;
    std::unique_ptr<EmbeddedServer> server;
};

ExitCode failure_code(const std::function<void()>& action) {
    try {
        action();
    } catch (const ClientError& e) {
        return e.code();
    }
    ADD_FAILURE() << "no ClientError";
    return ExitCode::ok;
}

std::string failure_text(const std::function<void()>& action) {
    try {
        action();
    } catch (const ClientError& e) {
        return e.what();
    }
    ADD_FAILURE() << "no ClientError";
    return {};
}

TEST_F(ClientsTest, SendThenFetchKeepTwiceDownloadsOnce) {
    const auto sent = send_message(send_options("first line\n.leading dot\nlast line\n"));
    EXPECT_EQ(sent.final_reply.substr(0, 3), "250");

    const auto maildir = local.path() / "Maildir";
    const auto first = fetch_messages(fetch_options(maildir));
    EXPECT_EQ(first.on_server, 1u);
    EXPECT_EQ(first.downloaded, 1u);
    ASSERT_EQ(first.files.size(), 1u);
    EXPECT_EQ(first.files[0].parent_path(), maildir / "new");
    const std::string stored = read_file(first.files[0]);
    // The body arrives byte for byte (CRLF line ends, the dot unstuffed again).
    EXPECT_TRUE(stored.ends_with("\r\n\r\nfirst line\r\n.leading dot\r\nlast line\r\n")) << stored;
    EXPECT_NE(stored.find("Subject: test\r\n"), std::string::npos);

    const auto second = fetch_messages(fetch_options(maildir));
    EXPECT_EQ(second.on_server, 1u);
    EXPECT_EQ(second.downloaded, 0u);
    EXPECT_EQ(second.skipped, 1u);
    EXPECT_EQ(files_in(maildir / "new"), 1u);
    EXPECT_TRUE(std::filesystem::exists(maildir / uidl_state_file));

    send_message(send_options("another one\n"));
    const auto third = fetch_messages(fetch_options(maildir));
    EXPECT_EQ(third.downloaded, 1u);
    EXPECT_EQ(third.skipped, 1u);
    EXPECT_EQ(files_in(maildir / "new"), 2u);
}

TEST_F(ClientsTest, FetchDeleteEmptiesTheMailbox) {
    send_message(send_options("one\n"));
    send_message(send_options("two\n"));
    auto options = fetch_options(local.path() / "Maildir");
    options.delete_after = true;
    const auto result = fetch_messages(options);
    EXPECT_EQ(result.downloaded, 2u);
    EXPECT_EQ(result.deleted, 2u);
    EXPECT_EQ(files_in(local.path() / "Maildir" / "new"), 2u);

    const auto after = fetch_messages(fetch_options(local.path() / "other"));
    EXPECT_EQ(after.on_server, 0u);
    EXPECT_EQ(after.downloaded, 0u);
}

TEST_F(ClientsTest, EveryLoginMethodAndTlsModeFetches) {
    send_message(send_options("hello\n"));
    int round = 0;
    for (const auto login : {Pop3Login::user, Pop3Login::apop, Pop3Login::plain}) {
        for (const auto tls : {Pop3Tls::stls, Pop3Tls::implicit}) {
            auto options = fetch_options(local.path() / ("dir" + std::to_string(round++)));
            options.login = login;
            options.tls = tls;
            if (tls == Pop3Tls::implicit) {
                options.port = server->endpoints().pop3s;
            }
            EXPECT_EQ(fetch_messages(options).downloaded, 1u) << "round " << round;
        }
    }
}

TEST_F(ClientsTest, SendOverImplicitTlsWithLogin) {
    auto options = send_options("via smtps\n");
    options.port = server->endpoints().smtps;
    options.tls = SmtpTls::implicit;
    options.auth->mechanism = SmtpAuthMechanism::login;
    EXPECT_EQ(send_message(options).final_reply.substr(0, 3), "250");
    EXPECT_EQ(fetch_messages(fetch_options(local.path() / "Maildir")).downloaded, 1u);
}

TEST_F(ClientsTest, SendUsesPipeliningWhenOffered) {
    const auto result = send_message(send_options("x\n"));
    EXPECT_TRUE(result.pipelined);
    bool batched = false;
    for (std::size_t i = 0; i + 2 < result.transcript.size(); ++i) {
        batched |= result.transcript[i].starts_with("C: MAIL FROM:") &&
                   result.transcript[i + 1].starts_with("C: RCPT TO:") &&
                   result.transcript[i + 2] == "C: DATA";
    }
    EXPECT_TRUE(batched) << "MAIL, RCPT and DATA were not written together";
}

TEST_F(ClientsTest, WrongPasswordsAreRefusedWithTheServersReply) {
    auto send = send_options("x\n");
    send.auth->password = "wrong";
    EXPECT_EQ(failure_code([&] { send_message(send); }), ExitCode::refused);
    EXPECT_NE(failure_text([&] { send_message(send); }).find("535"), std::string::npos);

    auto fetch = fetch_options(local.path() / "Maildir");
    fetch.password = "wrong";
    EXPECT_EQ(failure_code([&] { fetch_messages(fetch); }), ExitCode::refused);
    EXPECT_NE(failure_text([&] { fetch_messages(fetch); }).find("-ERR"), std::string::npos);
}

TEST_F(ClientsTest, UnknownRecipientIsRefusedWithTheServersReply) {
    auto options = send_options("x\n");
    options.recipients = {"nobody@example.test"};
    const std::string text = failure_text([&] { send_message(options); });
    EXPECT_NE(text.find("RCPT TO:<nobody@example.test>: 550"), std::string::npos) << text;
}

TEST_F(ClientsTest, OversizedMessageIsRefusedBeforeSending) {
    auto options = send_options(std::string(11 * 1024 * 1024, 'a'));
    const std::string text = failure_text([&] { send_message(options); });
    EXPECT_NE(text.find("more than the server's SIZE"), std::string::npos) << text;
}

TEST_F(ClientsTest, VerifiedTlsFailsOnTheSelfSignedCertificate) {
    auto options = fetch_options(local.path() / "Maildir");
    options.tls_settings.verify = true;
    EXPECT_EQ(failure_code([&] { fetch_messages(options); }), ExitCode::unreachable);
    EXPECT_NE(failure_text([&] { fetch_messages(options); }).find("--insecure"), std::string::npos);
}

TEST_F(ClientsTest, ClosedPortIsUnreachable) {
    auto options = fetch_options(local.path() / "Maildir");
    options.timeout = std::chrono::seconds(2);  // a stopped server may leave the port silent
    server->stop();
    EXPECT_EQ(failure_code([&] { fetch_messages(options); }), ExitCode::unreachable);
    auto send = send_options("x\n");
    send.timeout = std::chrono::seconds(2);
    EXPECT_EQ(failure_code([&] { send_message(send); }), ExitCode::unreachable);
}

TEST_F(ClientsTest, MissingRecipientIsAUsageError) {
    auto options = send_options("x\n");
    options.recipients.clear();
    EXPECT_EQ(failure_code([&] { send_message(options); }), ExitCode::usage);
}

TEST(ServerAddressTest, ParsesHostAndPort) {
    EXPECT_EQ(parse_server_address("127.0.0.1:2110").port, 2110);
    EXPECT_EQ(parse_server_address("[::1]:995").host, "::1");
    for (const char* bad : {"localhost", ":25", "host:", "host:0", "host:70000", "host:2x"}) {
        EXPECT_EQ(failure_code([&] { parse_server_address(bad); }), ExitCode::usage) << bad;
    }
}

}  // namespace
}  // namespace mh::reference::clients
