#include "reference/config/config.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "reference/config/accounts.hpp"

namespace mh::reference {
namespace {

std::string error_of(const std::string& yaml) {
    try {
        parse_config(yaml, "test.yaml");
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "no error";
}

TEST(Config, FullFileIsRead) {
    const Config config = parse_config(R"(
hostname: mx.test.example
domains: [Example.TEST, other.test]
listeners:
  smtp: ["127.0.0.1:2525", "[::1]:2525"]
  submission: 0.0.0.0:587
  pop3s: ["[::]:995"]
maildir: /var/tmp/mh
durable: false
threads: 3
quiet: true
tls: {cert: /etc/c.pem, key: /etc/k.pem}
limits: {max_message_size: 2048, max_recipients: 200, command_line: 1024}
timeouts: {smtp_idle: 60, shutdown_grace: 0}
smtp: {auth_requires_tls: false, vrfy: true, bare_line_ends: accept}
accounts:
  - name: alice
    addresses: [Alice@example.test, postmaster@example.test]
    password: alice-pw
    apop_secret: tanstaaf
  - name: bob
    address: bob@other.test
    password_hash: "pbkdf2-sha256$1$c2FsdA==$Eg+2z/z4syxD5yJSVsT4N6hlSMkszDVICAWYfLcL4Xs="
)",
                                       "t.yaml");
    EXPECT_EQ(config.hostname, "mx.test.example");
    EXPECT_EQ(config.domains, (std::vector<std::string>{"example.test", "other.test"}));
    ASSERT_EQ(config.listeners.smtp.size(), 2U);
    EXPECT_EQ(config.listeners.smtp[1], (Endpoint{"::1", 2525}));
    EXPECT_EQ(config.listeners.submission[0], (Endpoint{"0.0.0.0", 587}));
    EXPECT_EQ(config.listeners.pop3s[0].to_string(), "[::]:995");
    EXPECT_TRUE(config.listeners.smtps.empty());
    EXPECT_EQ(config.maildir, "/var/tmp/mh");
    EXPECT_FALSE(config.durable);
    EXPECT_EQ(config.threads, 3U);
    EXPECT_TRUE(config.quiet);
    EXPECT_EQ(config.tls_cert, "/etc/c.pem");
    EXPECT_EQ(config.limits.max_message_size, 2048U);
    EXPECT_EQ(config.limits.max_recipients, 200U);
    EXPECT_EQ(config.limits.command_line, 1024U);
    EXPECT_EQ(config.limits.text_line, 1000U);  // untouched default
    EXPECT_EQ(config.timeouts.smtp_idle, std::chrono::seconds(60));
    EXPECT_EQ(config.timeouts.shutdown_grace, std::chrono::seconds(0));
    EXPECT_FALSE(config.auth_requires_tls);
    EXPECT_TRUE(config.vrfy_enabled);
    EXPECT_EQ(config.bare_line_ends, proto::smtp::BareLineEndPolicy::accept);

    const AccountDirectory accounts(config.accounts, config.domains);
    EXPECT_EQ(accounts.authenticate("alice", "alice-pw"), "alice");
    EXPECT_EQ(accounts.authenticate("alice@EXAMPLE.test", "alice-pw"), "alice");
    EXPECT_EQ(accounts.authenticate("alice", "bob-pw"), std::nullopt);
    EXPECT_EQ(accounts.authenticate("bob", "password"), "bob");
    EXPECT_EQ(accounts.authenticate("nobody", "password"), std::nullopt);
    EXPECT_EQ(accounts.find("alice")->apop_secret, "tanstaaf");
    EXPECT_EQ(accounts.find_by_address("POSTMASTER@example.test")->name, "alice");
    EXPECT_TRUE(accounts.serves_domain("OTHER.test"));
    EXPECT_FALSE(accounts.serves_domain("elsewhere.test"));
}

TEST(Config, PlaintextPasswordsAreKeptOnlyAsHashes) {
    const Config config = parse_config(
        "domains: [a.test]\naccounts: [{name: u, address: u@a.test, password: pw}]\n", "t");
    ASSERT_EQ(config.accounts.size(), 1U);
    EXPECT_EQ(config.accounts[0].password.hash.size(), 32U);
    EXPECT_EQ(config.accounts[0].password.hash.find("pw"), std::string::npos);
}

TEST(Config, EmptyFileGivesDefaults) {
    const Config config = parse_config("", "t");
    EXPECT_TRUE(config.accounts.empty());
    EXPECT_TRUE(config.listeners.empty());
    EXPECT_TRUE(config.durable);
}

TEST(Config, ErrorsNameFileLineAndColumn) {
    EXPECT_EQ(error_of("hostname: x\nlisteners:\n  smtp: 127.0.0.1\n"),
              "test.yaml:3:9: bad listener address '127.0.0.1': no port (expected IPv4:PORT or "
              "[IPv6]:PORT)");
    EXPECT_EQ(error_of("hostnme: x\n"),
              "test.yaml:1:1: unknown key 'hostnme' in the configuration (known: hostname, "
              "domains, accounts, listeners, limits, timeouts, smtp, tls, maildir, durable, "
              "threads, quiet, user, relay)");
    EXPECT_EQ(error_of("limits:\n  max_recipients: 10\n"),
              "test.yaml:2:19: limits.max_recipients must be a whole number from 100 to 100000");
    EXPECT_EQ(error_of("timeouts: {smtp_idle: soon}\n"),
              "test.yaml:1:23: timeouts.smtp_idle (seconds) must be a whole number from 1 to "
              "86400");
    EXPECT_EQ(error_of("durable: maybe\n"), "test.yaml:1:10: durable must be true or false");
    EXPECT_EQ(error_of("smtp: {bare_line_ends: fix}\n"),
              "test.yaml:1:24: smtp.bare_line_ends must be 'reject' or 'accept'");
    EXPECT_EQ(error_of("tls: {cert: a.pem}\n"),
              "test.yaml:1:6: tls needs both 'cert' and 'key' (or neither, for a generated pair)");
}

TEST(Config, SyntaxErrorsHavePositions) {
    const std::string error = error_of("hostname: x\nlisteners: [unclosed\n");
    EXPECT_TRUE(std::regex_search(error, std::regex(R"(^test\.yaml:[23]:[0-9]+: \S)"))) << error;
}

TEST(Config, AccountErrors) {
    const std::string head = "domains: [a.test]\naccounts:\n";
    EXPECT_EQ(error_of(head + "  - {name: a/b, password: x}\n"),
              "test.yaml:3:12: an account name may only contain letters, digits, '.', '_' and "
              "'-'");
    EXPECT_EQ(error_of(head + "  - {name: .hidden, password: x}\n"),
              "test.yaml:3:12: an account name must not start with '.'");
    EXPECT_EQ(error_of(head + "  - {name: u, address: u@b.test, password: x}\n"),
              "test.yaml:3:24: 'u@b.test' is not in a served domain (see 'domains')");
    EXPECT_EQ(error_of(head + "  - {name: u, address: nobody, password: x}\n"),
              "test.yaml:3:24: 'nobody' is not local-part@domain");
    EXPECT_EQ(error_of(head + "  - {name: u}\n"),
              "test.yaml:3:5: account 'u' needs exactly one of 'password_hash' or 'password' "
              "(test profiles)");
    EXPECT_EQ(error_of(head + "  - {name: u, password_hash: abc}\n"),
              "test.yaml:3:30: bad password_hash: expected "
              "pbkdf2-sha256$ITERATIONS$SALT_B64$HASH_B64");
    EXPECT_EQ(error_of(head + "  - {name: u, password: x}\n  - {name: u, password: y}\n"),
              "test.yaml:4:5: account 'u' is defined twice");
    EXPECT_EQ(error_of(head + "  - {name: u, password: x, address: a@a.test}\n"
                              "  - {name: v, password: y, address: A@a.test}\n"),
              "test.yaml:4:5: address 'a@a.test' belongs to two accounts");
    EXPECT_EQ(error_of(head + "  - {name: u, pasword: x}\n"),
              "test.yaml:3:15: unknown key 'pasword' in an account (known: name, address, "
              "addresses, password, password_hash, apop_secret)");
}

TEST(Config, MissingFileIsAClearError) {
    try {
        load_config("/nonexistent/mh.yaml");
        FAIL() << "no error";
    } catch (const ConfigError& e) {
        EXPECT_STREQ(e.what(), "/nonexistent/mh.yaml: cannot open the configuration file");
    }
}

TEST(Config, FileErrorsCarryThePath) {
    const auto path = std::filesystem::temp_directory_path() / "mh_config_test.yaml";
    std::ofstream(path) << "threads: -1\n";
    try {
        load_config(path);
        FAIL() << "no error";
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()),
                  path.string() + ":1:10: threads must be a whole number from 0 to 256");
    }
    std::filesystem::remove(path);
}

TEST(Endpoint, ParsesIpv4AndIpv6) {
    EXPECT_EQ(parse_endpoint("127.0.0.1:25"), (Endpoint{"127.0.0.1", 25}));
    EXPECT_EQ(parse_endpoint("[::1]:0"), (Endpoint{"::1", 0}));
    EXPECT_EQ(parse_endpoint("[2001:db8::5]:65535").to_string(), "[2001:db8::5]:65535");
    for (const char* bad : {"", ":25", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "localhost:25",
                            "::1:25", "[::1:25", "[]:25", "1.2.3.4:2x", "[127.0.0.1]:25"}) {
        EXPECT_THROW(parse_endpoint(bad), ConfigError) << bad;
    }
}

TEST(Config, EmbeddedProfileServesAliceAndBob) {
    const Config config = embedded_profile();
    const AccountDirectory accounts(config.accounts, config.domains);
    EXPECT_EQ(accounts.authenticate("alice", "alice-pw"), "alice");
    EXPECT_EQ(accounts.authenticate("bob", "bob-pw"), "bob");
    EXPECT_EQ(accounts.authenticate("bob", "alice-pw"), std::nullopt);
    EXPECT_EQ(accounts.find_by_address("bob@example.test")->name, "bob");
    EXPECT_EQ(accounts.find_by_address("postmaster@example.test")->name, "postmaster");
    EXPECT_TRUE(accounts.serves_domain("example.test"));
    EXPECT_FALSE(accounts.serves_domain("elsewhere.test"));
    EXPECT_EQ(config.accounts[0].apop_secret, "alice-pw");
}

}  // namespace
}  // namespace mh::reference
