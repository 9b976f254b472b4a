// The recorder and the suite writer on scripted conversations (no network): what becomes a
// step, what is generalised, that no secret reaches the file, and that the file loads.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "harness/record/recorder.hpp"
#include "harness/record/reply_pattern.hpp"
#include "harness/record/suite_writer.hpp"
#include "harness/scenario/suite_loader.hpp"
#include "proto/sasl/base64.hpp"

namespace mh::harness::record {
namespace {

using scenario::Protocol;

std::string written(const std::vector<Session>& sessions, Protocol protocol = Protocol::smtp) {
    SuiteHeader header;
    header.protocol = protocol;
    header.upstream = "127.0.0.1:2525";
    header.tool_version = "test";
    return write_suite(header, sessions);
}

// The written suite must load without error.
scenario::Suite loaded(const std::string& yaml) {
    auto load =
        scenario::parse_suite(yaml, "recorded.yaml", std::filesystem::temp_directory_path());
    for (const auto& error : load.errors) {
        ADD_FAILURE() << error.format() << "\n" << yaml;
    }
    if (!load.suite) {
        throw std::runtime_error("the recorded suite does not load");
    }
    return *load.suite;
}

bool matches(const std::string& pattern, const std::string& text) {
    return std::regex_search(text, std::regex(pattern));
}

TEST(ReplyPattern, KeepsStableTextAndEscapesIt) {
    EXPECT_EQ(reply_pattern("OK (queued)"), R"(^OK \(queued\)$)");
    EXPECT_EQ(reply_pattern("PIPELINING\n8BITMIME\nSIZE 10485760"),
              R"(^PIPELINING\n8BITMIME\nSIZE 10485760$)");
    EXPECT_EQ(reply_pattern("<bob@example.test> recipient ok"),
              R"(^<bob@example\.test> recipient ok$)");
}

TEST(ReplyPattern, GeneralisesVolatileParts) {
    const std::string greeting = "mx.example.test ESMTP ready Fri, 27 Nov 2026 02:39:44 +0000";
    const std::string pattern = reply_pattern(greeting);
    EXPECT_TRUE(matches(pattern, greeting));
    EXPECT_TRUE(matches(pattern, "other.host.example ESMTP ready Sat, 1 Jan 2028 23:00:01 -0500"));
    EXPECT_FALSE(matches(pattern, "mx.example.test SMTP ready Fri, 27 Nov 2026 02:39:44 +0000"));

    const std::string apop =
        "mx.example.test POP3 server ready <4242.17.1732675184@mx.example.test>";
    EXPECT_TRUE(matches(reply_pattern(apop), "pop.other POP3 server ready <1.2.3@pop.other>"));

    for (const std::string queued : {"Ok: queued as 4FJd3k1yz7z9sL", "Ok: queued as 9A3F2B71C0",
                                     "Ok: queued as 1732675184.M12P34.mx"}) {
        EXPECT_TRUE(matches(reply_pattern(queued), "Ok: queued as Zz9Yy8Xx7"))
            << reply_pattern(queued);
    }
    EXPECT_TRUE(matches(reply_pattern("mx.example.test greets client [127.0.0.1]"),
                        "mx2.example.org greets client [10.1.2.3]"));
    EXPECT_TRUE(matches(reply_pattern("2 320", Volatility::mailbox_state), "14 88123"));
}

TEST(ReplyPattern, NonAsciiBytesBecomeDots) {
    EXPECT_EQ(escape_regex("a\xff\x01z"), "a..z");
}

std::vector<Session> smtp_session() {
    Recorder recorder(Protocol::smtp);
    recorder.server_bytes("220 mx.example.test ESMTP mailharness ready\r\n");
    recorder.client_bytes("EHLO client.test\r\n");
    recorder.server_bytes(
        "250-mx.example.test greets client.test\r\n250-PIPELINING\r\n"
        "250 STARTTLS\r\n");
    recorder.client_bytes("STARTTLS\r\n");
    EXPECT_TRUE(recorder.awaiting_tls_reply());
    EXPECT_TRUE(recorder.server_bytes("220 2.0.0 Ready to start TLS\r\n"));
    EXPECT_FALSE(recorder.awaiting_tls_reply());
    recorder.client_bytes("EHLO client.test\r\n");
    recorder.server_bytes("250-mx.example.test greets client.test\r\n250 AUTH PLAIN LOGIN\r\n");
    recorder.client_bytes(
        "AUTH PLAIN " + proto::sasl::base64_encode(std::string("\0alice\0alice-pw", 15)) + "\r\n");
    recorder.server_bytes("235 2.7.0 Authentication successful\r\n");
    recorder.client_bytes(
        "MAIL FROM:<alice@example.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n");
    recorder.server_bytes("250 2.1.0 OK\r\n250 2.1.5 OK\r\n");
    recorder.server_bytes("354 Start mail input; end with <CRLF>.<CRLF>\r\n");
    recorder.client_bytes("Subject: hi\r\n\r\n..dot line\r\n");
    recorder.client_bytes(".\r\nQUIT\r\n");
    recorder.server_bytes("250 2.0.0 Ok: queued as 4FJd3k1yz7z9sL\r\n221 2.0.0 Bye\r\n");
    return {recorder.finish()};
}

TEST(Recorder, SmtpSessionBecomesACaseThatLoads) {
    const auto sessions = smtp_session();
    const std::string yaml = written(sessions);
    const auto suite = loaded(yaml);
    ASSERT_EQ(suite.cases.size(), 1u);
    EXPECT_NE(yaml.find("- starttls: {}"), std::string::npos) << yaml;
    EXPECT_NE(yaml.find("- auth: {mechanism: PLAIN, account: \"${login1}\"}"), std::string::npos)
        << yaml;
    EXPECT_NE(yaml.find("login1: \"alice\""), std::string::npos) << yaml;
    EXPECT_NE(yaml.find("send: {lines: [\"MAIL FROM:<alice@example.test>\", "
                        "\"RCPT TO:<bob@example.test>\", \"DATA\"]}"),
              std::string::npos)
        << yaml;
    EXPECT_NE(yaml.find("send: {data: \"Subject: hi\\r\\n\\r\\n.dot line\\r\\n\"}"),
              std::string::npos)
        << yaml;
    EXPECT_NE(yaml.find("{code: 250, enhanced: \"2.0.0\", text: \"^Ok: queued as [^\\\\s]+$\"}"),
              std::string::npos)
        << yaml;
    // No secret: neither the password nor the base64 blob that carries it.
    EXPECT_EQ(yaml.find("alice-pw"), std::string::npos);
    EXPECT_EQ(yaml.find("AGFsaWNl"), std::string::npos);
}

TEST(Recorder, RefusedLoginReplaysWithAWrongPassword) {
    Recorder recorder(Protocol::smtp);
    recorder.server_bytes("220 mx ESMTP\r\n");
    recorder.client_bytes("AUTH LOGIN\r\n");
    recorder.server_bytes("334 VXNlcm5hbWU6\r\n");
    recorder.client_bytes(proto::sasl::base64_encode("bob") + "\r\n");
    recorder.server_bytes("334 UGFzc3dvcmQ6\r\n");
    recorder.client_bytes(proto::sasl::base64_encode("guess") + "\r\n");
    recorder.server_bytes("535 5.7.8 Authentication credentials invalid\r\n");
    const std::string yaml = written({recorder.finish()});
    loaded(yaml);
    EXPECT_NE(yaml.find("- auth: {mechanism: LOGIN, account: \"${login1}\", password: "
                        "\"not-the-recorded-password\", succeed: false}"),
              std::string::npos)
        << yaml;
    EXPECT_EQ(yaml.find(proto::sasl::base64_encode("guess")), std::string::npos);
}

TEST(Recorder, UnknownMechanismIsRedactedAndSaysSo) {
    Recorder recorder(Protocol::smtp);
    recorder.server_bytes("220 mx ESMTP\r\n");
    recorder.client_bytes("AUTH XOAUTH2 c2VjcmV0dG9rZW4=\r\n");
    recorder.server_bytes("504 5.5.4 Unrecognized authentication type\r\n");
    const std::string yaml = written({recorder.finish()});
    loaded(yaml);
    EXPECT_EQ(yaml.find("c2VjcmV0dG9rZW4"), std::string::npos) << yaml;
    EXPECT_NE(yaml.find("send: \"AUTH XOAUTH2 REDACTED\""), std::string::npos) << yaml;
    EXPECT_NE(yaml.find("# note: an XOAUTH2 login"), std::string::npos) << yaml;
}

TEST(Recorder, Pop3SessionWithBodiesAndLogins) {
    Recorder recorder(Protocol::pop3);
    recorder.server_bytes(
        "+OK mx.example.test POP3 server ready <77.1.1732675184@mx.example.test>\r\n");
    recorder.client_bytes("CAPA\r\n");
    recorder.server_bytes("+OK Capability list follows\r\nUSER\r\nSTLS\r\n.\r\n");
    recorder.client_bytes("USER alice\r\n");
    recorder.server_bytes("+OK\r\n");
    recorder.client_bytes("PASS alice-pw\r\n");
    recorder.server_bytes("+OK logged in\r\n");
    recorder.client_bytes("STAT\r\n");
    recorder.server_bytes("+OK 2 320\r\n");
    recorder.client_bytes("RETR 1\r\n");
    recorder.server_bytes("+OK 12 octets\r\nSubject: a\r\n\r\n..b\r\n.\r\n");
    recorder.client_bytes("QUIT\r\n");
    recorder.server_bytes("+OK bye\r\n");
    const std::string yaml = written({recorder.finish()}, Protocol::pop3);
    loaded(yaml);
    EXPECT_EQ(yaml.find("alice-pw"), std::string::npos) << yaml;
    EXPECT_NE(yaml.find("- auth: {mechanism: USER, account: \"${login1}\"}"), std::string::npos)
        << yaml;
    EXPECT_NE(yaml.find("{status: \"+OK\", text: \"^\\\\S+ \\\\S+$\"}"), std::string::npos) << yaml;
    EXPECT_NE(yaml.find("multiline: true, body: {lines: 3}"), std::string::npos) << yaml;
    EXPECT_NE(yaml.find("multiline: true, body: {lines: 2}"), std::string::npos) << yaml;
}

TEST(Recorder, MemoryStaysBounded) {
    RecorderLimits limits;
    limits.client_line = 1024;
    limits.data_kept = 4096;
    Recorder recorder(Protocol::smtp, limits);
    recorder.server_bytes("220 mx ESMTP\r\n");
    recorder.client_bytes("DATA\r\n");
    recorder.server_bytes("354 go\r\n");
    const std::string line(100, 'x');
    for (int i = 0; i < 1000; ++i) {
        recorder.client_bytes(line + "\r\n");
    }
    recorder.client_bytes(".\r\n");
    recorder.server_bytes("250 OK\r\n");
    recorder.client_bytes(std::string(5000, 'y'));  // no CRLF: an endless line
    recorder.client_bytes("\r\n");
    auto session = recorder.finish();
    EXPECT_EQ(session.truncated, "a client line longer than 1024 octets");
    const std::string yaml = written({session});
    loaded(yaml);
    EXPECT_NE(yaml.find("send: {bytes: 102000}"), std::string::npos) << yaml;
    EXPECT_LT(yaml.size(), 4096u);
}

}  // namespace
}  // namespace mh::harness::record
