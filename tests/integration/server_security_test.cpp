// Security of the reference server (issue 8): not an open relay whatever the address trick,
// no login before TLS, no command injection across STARTTLS / STLS, account names that cannot
// leave the mail root, hashed passwords, TLS 1.2+ with AEAD ciphers only, dropping root.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>
#include <string>
#include <vector>

#include "reference/server/privileges.hpp"
#include "tests/integration/line_client.hpp"
#include "tests/integration/process.hpp"
#include "tests/integration/test_server.hpp"

namespace mh::integration {
namespace {

using reference::Service;
namespace fs = std::filesystem;

std::set<std::string> entries(const fs::path& dir) {
    std::set<std::string> out;
    for (const auto& entry : fs::directory_iterator(dir)) {
        out.insert(entry.path().filename().string());
    }
    return out;
}

TEST(Security, NoRelayTrickGetsPastAnUnauthenticatedClient) {
    TestServer server;
    LineClient client(server.port(Service::smtp));
    client.reply();
    client.command("EHLO client.example.test");
    ASSERT_EQ(client.command("MAIL FROM:<x@client.example.test>").substr(0, 3), "250");
    for (const char* trick : {
             "<alice@elsewhere.test>",                   // plain foreign domain
             "<alice%elsewhere.test@example.test>",      // percent hack
             "<\"alice%elsewhere.test\"@example.test>",  // quoted percent hack
             "<\"alice@elsewhere.test\"@example.test>",  // quoted domain in the local part
             "<@example.test:alice@elsewhere.test>",     // source route (RFC 5321 4.1.1.3)
             "<@example.test,@mx.example.test:alice@elsewhere.test>",
             "<alice!elsewhere.test@example.test>",  // bang path
             "<elsewhere.test!alice>",               // bare bang path
             "<alice@[127.0.0.1]>",                  // address literals
             "<alice@[IPv6:::1]>",
             "<alice@elsewhere.test.>",  // trailing dot
             "<alice@ELSEWHERE.TEST>",
             "<alice@example.test@elsewhere.test>",
             "<alice@elsewhere.test> NOTIFY=NEVER",
         }) {
        const std::string reply = client.command(std::string("RCPT TO:") + trick);
        EXPECT_EQ(reply.substr(0, 1), "5") << trick << " -> " << reply;
    }
    EXPECT_EQ(client.command("DATA").substr(0, 1), "5");  // no recipient was taken
    const fs::path queue = server.maildir() / ".relay-queue" / "new";
    EXPECT_TRUE(!fs::exists(queue) || fs::is_empty(queue));
}

TEST(Security, AuthenticatedClientsMayRelay) {  // the control: the refusals above are policy
    TestServer server;
    LineClient client(server.port(Service::smtps), true);
    ASSERT_TRUE(client.handshake_ok());
    client.reply();
    client.command("EHLO client.example.test");
    ASSERT_EQ(client.command("AUTH PLAIN AGFsaWNlAGFsaWNlLXB3").substr(0, 3), "235");
    ASSERT_EQ(client.command("MAIL FROM:<alice@example.test>").substr(0, 3), "250");
    EXPECT_EQ(client.command("RCPT TO:<someone@elsewhere.test>").substr(0, 3), "250");
}

TEST(Security, NoLoginBeforeTls) {
    TestServer server;
    LineClient smtp(server.port(Service::smtp));
    smtp.reply();
    smtp.command("EHLO client.example.test");
    EXPECT_EQ(smtp.command("AUTH PLAIN AGFsaWNlAGFsaWNlLXB3").substr(0, 1), "5");
    LineClient pop(server.port(Service::pop3));
    pop.line();
    pop.send("USER alice\r\n");
    EXPECT_EQ(pop.line().substr(0, 4), "-ERR");
    pop.send("APOP alice 0123456789abcdef0123456789abcdef\r\n");
    EXPECT_EQ(pop.line().substr(0, 4), "-ERR");
    pop.send("AUTH PLAIN AGFsaWNlAGFsaWNlLXB3\r\n");
    EXPECT_EQ(pop.line().substr(0, 4), "-ERR");
}

TEST(Security, PlaintextPipelinedAfterStarttlsIsDiscarded) {
    TestServer server;
    LineClient smtp(server.port(Service::smtp));
    smtp.reply();
    smtp.command("EHLO client.example.test");
    // RFC 3207 4.2: what follows STARTTLS in the same plaintext segment must be thrown away.
    smtp.send("STARTTLS\r\nMAIL FROM:<injected@attacker.test>\r\n");
    ASSERT_EQ(smtp.reply().substr(0, 3), "220");
    smtp.starttls();
    ASSERT_TRUE(smtp.handshake_ok());
    smtp.command("EHLO client.example.test");
    EXPECT_EQ(smtp.command("RCPT TO:<alice@example.test>").substr(0, 3), "503");  // no MAIL

    LineClient pop(server.port(Service::pop3));
    pop.line();
    pop.send("STLS\r\nUSER alice\r\n");  // RFC 2595 4: the same for STLS
    ASSERT_EQ(pop.line().substr(0, 3), "+OK");
    pop.starttls();
    ASSERT_TRUE(pop.handshake_ok());
    pop.send("PASS alice-pw\r\n");
    EXPECT_EQ(pop.line().substr(0, 4), "-ERR");  // USER never arrived
}

TEST(Security, AccountNamesCannotLeaveTheMailRoot) {
    TestServer server([](reference::Config& c) { c.auth_requires_tls = false; });
    const fs::path root = server.maildir();
    const auto outside_before = entries(root.parent_path());
    for (const std::string& name : std::vector<std::string>{
             "../alice", "..", ".", "/etc/passwd", "alice/../bob", "../../tmp/x", ".relay-queue",
             std::string("ali\0ce", 6), "alice/", "~root"}) {
        LineClient pop(server.port(Service::pop3));
        pop.line();
        pop.send("USER " + name + "\r\n");
        pop.line();
        pop.send("PASS alice-pw\r\n");
        EXPECT_EQ(pop.line().substr(0, 4), "-ERR") << name;
        LineClient smtp(server.port(Service::smtp));
        smtp.reply();
        smtp.command("EHLO client.example.test");
        smtp.command("MAIL FROM:<x@client.example.test>");
        EXPECT_EQ(smtp.command("RCPT TO:<" + name + "@example.test>").substr(0, 1), "5") << name;
    }
    EXPECT_EQ(entries(root.parent_path()), outside_before);
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
        const std::string first = fs::relative(entry.path(), root).begin()->string();
        EXPECT_TRUE(first == "alice" || first == "bob" || first == ".relay-queue") << entry.path();
    }
}

TEST(Security, PasswordsAreKeptHashedOnly) {
    const reference::Config config = reference::parse_config(
        "domains: [example.test]\naccounts:\n  - {name: carol, address: carol@example.test, "
        "password: Plain-Secret-1}\n",
        "inline");
    const auto& hash = config.accounts.at(0).password;
    EXPECT_EQ(hash.hash.size(), 32U);
    EXPECT_FALSE(hash.salt.empty());
    EXPECT_EQ(hash.hash.find("Plain-Secret-1"), std::string::npos);
    EXPECT_EQ(hash.salt.find("Plain-Secret-1"), std::string::npos);
}

TEST(Security, OnlyTls12AndUpWithAeadCiphers) {
    TestServer server;
    const std::string port = std::to_string(server.port(Service::smtps));
    const std::string openssl = require_program("/usr/bin/openssl");
    auto handshake = [&](std::vector<std::string> extra) {
        std::vector<std::string> argv{openssl, "s_client", "-connect", "127.0.0.1:" + port};
        argv.insert(argv.end(), extra.begin(), extra.end());
        return run_process(argv);
    };
    EXPECT_EQ(handshake({"-tls1_2"}).exit_code, 0);  // the control
    EXPECT_EQ(handshake({"-tls1_3"}).exit_code, 0);
    // The client allows the old protocols (SECLEVEL=0): the refusal is the server's.
    EXPECT_NE(handshake({"-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"}).exit_code, 0);
    EXPECT_NE(handshake({"-tls1", "-cipher", "DEFAULT@SECLEVEL=0"}).exit_code, 0);
    EXPECT_NE(handshake({"-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA"}).exit_code, 0);  // CBC
    EXPECT_NE(handshake({"-tls1_2", "-cipher", "aNULL:@SECLEVEL=0"}).exit_code, 0);
}

TEST(Security, RootIsDroppedForGood) {
    ASSERT_EQ(geteuid(), 0U) << "this test needs root, as CI has";
    reference::testing::TempDir dir;
    fs::permissions(dir.path(),
                    fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
    const fs::path maildir = dir.path() / "mail";
    fs::create_directories(maildir / "alice" / "Maildir" / "new");
    const pid_t child = fork();
    if (child == 0) {
        try {
            reference::drop_privileges("nobody", maildir);
        } catch (...) {
            _exit(2);
        }
        const bool dropped = getuid() != 0 && geteuid() != 0 && getgid() != 0 && setuid(0) != 0;
        const bool writable = access((maildir / "alice" / "Maildir" / "new").c_str(), W_OK) == 0;
        _exit(dropped && writable ? 0 : 1);
    }
    int status = 0;
    waitpid(child, &status, 0);
    EXPECT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
    fs::permissions(dir.path(), fs::perms::owner_all);  // now closed to "nobody": a clear error
    const pid_t closed = fork();
    if (closed == 0) {
        try {
            reference::drop_privileges("nobody", maildir);
        } catch (const std::runtime_error&) {
            _exit(0);
        }
        _exit(1);
    }
    waitpid(closed, &status, 0);
    EXPECT_EQ(WEXITSTATUS(status), 0);
    EXPECT_THROW(reference::drop_privileges("no-such-user-here", maildir), std::runtime_error);
    EXPECT_THROW(reference::drop_privileges("root", maildir), std::runtime_error);
}

}  // namespace
}  // namespace mh::integration
