// `mailharness serve` as a program: configuration errors, the start banner, a real POP3 client
// (curl) reading what a real SMTP client (curl) delivered, and a clean stop on SIGTERM.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include "../reference/temp_dir.hpp"
#include "process.hpp"

namespace mh::integration {
namespace {

using reference::testing::TempDir;
using namespace std::chrono_literals;

const std::string mailharness = MH_MAILHARNESS;

std::string banner_port(const std::string& banner, const std::string& service,
                        const std::string& host = "127\\.0\\.0\\.1") {
    std::smatch match;
    const std::regex line("listening +" + service + " +" + host + ":([0-9]+)");
    return std::regex_search(banner, match, line) ? match[1].str() : "";
}

TEST(ServeCommand, BadConfigurationExitsWithTwoAndThePosition) {
    TempDir dir;
    const auto config = dir.path() / "bad.yaml";
    std::ofstream(config)
        << "hostname: mx.test\nlisteners:\n  smtp:\n    - 127.0.0.1:25\n    - 127.0.0.1\n";
    const auto result = run_process({mailharness, "serve", "--config", config.string()});
    EXPECT_EQ(result.exit_code, 2) << result.output;
    EXPECT_NE(result.output.find(config.string() + ":5:7: bad listener address '127.0.0.1'"),
              std::string::npos)
        << result.output;
}

TEST(ServeCommand, BadListenerFlagExitsWithTwo) {
    const auto result = run_process({mailharness, "serve", "--smtp", "localhost:25"});
    EXPECT_EQ(result.exit_code, 2) << result.output;
    EXPECT_NE(result.output.find("not a numeric IPv4 address"), std::string::npos) << result.output;
}

TEST(ServeCommand, ServesTheConfiguredAccountsAndStopsOnSigterm) {
    TempDir dir;
    const auto config = dir.path() / "mh.yaml";
    std::ofstream(config) << "hostname: mx.corp.test\n"
                             "domains: [corp.test]\n"
                             "timeouts: {shutdown_grace: 5}\n"
                             "accounts:\n"
                             "  - {name: carol, address: carol@corp.test, password: carol-pw}\n";
    BackgroundProcess server(
        {mailharness, "serve", "--config", config.string(), "--smtp", "127.0.0.1:0", "--pop3",
         "127.0.0.1:0", "--maildir", (dir.path() / "mail").string()},
        dir.path() / "out", dir.path() / "err");
    ASSERT_TRUE(server.wait_for_output("account", 10s)) << server.stderr_text();
    const std::string banner = server.stdout_text();
    EXPECT_NE(banner.find("account    carol      carol@corp.test"), std::string::npos) << banner;
    const std::string smtp = banner_port(banner, "smtp");
    const std::string pop3 = banner_port(banner, "pop3");
    ASSERT_FALSE(smtp.empty() || pop3.empty()) << banner;

    const std::string message = "Subject: via curl\r\n\r\nbody line\r\n";
    const auto file = dir.path() / "m.eml";
    std::ofstream(file, std::ios::binary) << message;
    const std::string curl = require_program("/usr/bin/curl");
    const auto sent = run_process({curl, "--silent", "--show-error", "--ssl-reqd", "-k", "--user",
                                   "carol:carol-pw", "--mail-from", "carol@corp.test",
                                   "--mail-rcpt", "carol@corp.test", "--upload-file", file.string(),
                                   "smtp://127.0.0.1:" + smtp});
    ASSERT_EQ(sent.exit_code, 0) << sent.output;
    // curl pop3:// with STLS; message 1 through RETR.
    const auto fetched =
        run_process({curl, "--silent", "--show-error", "--ssl-reqd", "-k", "--user",
                     "carol:carol-pw", "pop3://127.0.0.1:" + pop3 + "/1"});
    ASSERT_EQ(fetched.exit_code, 0) << fetched.output;
    EXPECT_EQ(fetched.output.rfind("Received: from ", 0), 0U) << fetched.output;
    EXPECT_NE(fetched.output.find("by mx.corp.test with ESMTPSA"), std::string::npos);
    EXPECT_EQ(fetched.output.substr(fetched.output.size() - message.size()), message);

    EXPECT_EQ(server.stop(SIGTERM, 10s), 0);
    const std::string log = server.stderr_text();
    EXPECT_NE(log.find("auth ok as carol"), std::string::npos) << log;
    EXPECT_NE(log.find("accepted "), std::string::npos) << log;
    EXPECT_NE(log.find("pop3#"), std::string::npos) << log;
    EXPECT_NE(log.find("mailharness serve: stopped"), std::string::npos) << log;
}

TEST(ServeCommand, ListensOnIpv6Loopback) {
    TempDir dir;
    BackgroundProcess server({mailharness, "serve", "--smtp", "[::1]:0", "--pop3", "[::1]:0",
                              "--maildir", (dir.path() / "mail").string()},
                             dir.path() / "out", dir.path() / "err");
    ASSERT_TRUE(server.wait_for_output("account", 10s)) << server.stderr_text();
    const std::string banner = server.stdout_text();
    const std::string smtp = banner_port(banner, "smtp", "\\[::1\\]");
    const std::string pop3 = banner_port(banner, "pop3", "\\[::1\\]");
    ASSERT_FALSE(smtp.empty() || pop3.empty()) << banner;

    const std::string message = "Subject: over IPv6\r\n\r\nbody\r\n";
    const auto file = dir.path() / "m.eml";
    std::ofstream(file, std::ios::binary) << message;
    const std::string curl = require_program("/usr/bin/curl");
    const auto sent =
        run_process({curl, "--silent", "--show-error", "--ssl-reqd", "-k", "--user", "bob:bob-pw",
                     "--mail-from", "bob@example.test", "--mail-rcpt", "bob@example.test",
                     "--upload-file", file.string(), "smtp://[::1]:" + smtp});
    ASSERT_EQ(sent.exit_code, 0) << sent.output;
    const auto fetched = run_process({curl, "--silent", "--show-error", "--ssl-reqd", "-k",
                                      "--user", "bob:bob-pw", "pop3://[::1]:" + pop3 + "/1"});
    ASSERT_EQ(fetched.exit_code, 0) << fetched.output;
    EXPECT_NE(fetched.output.find("([IPv6:::1])"), std::string::npos) << fetched.output;
    EXPECT_EQ(fetched.output.substr(fetched.output.size() - message.size()), message);
    EXPECT_EQ(server.stop(SIGTERM, 10s), 0);
}

}  // namespace
}  // namespace mh::integration
