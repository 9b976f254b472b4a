// `mailharness record` on real sessions: swaks, Python's smtplib and poplib talk to the
// reference server (`mailharness serve`) through the proxy, with STARTTLS and logins; then
// `mailharness run` replays each recorded case. Against the same server it passes, against one
// with another host name it passes (host names are patterns), and against one whose EHLO reply
// differs (another SIZE) it fails.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "tests/integration/process.hpp"

namespace {

using namespace std::chrono_literals;
using mh::integration::BackgroundProcess;
using mh::integration::require_program;
using mh::integration::run_process;

const std::string mailharness = MH_MAILHARNESS;

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string port_in(const std::string& text, const std::string& pattern) {
    std::smatch match;
    return std::regex_search(text, match, std::regex(pattern)) ? match[1].str() : "";
}

class RecordReplay : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("mh-record-test-" + std::to_string(getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove_all(dir_);
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    // `mailharness serve` on free ports; returns "smtp" and "pop3" ports through out-params.
    std::unique_ptr<BackgroundProcess> serve(const std::string& name, const std::string& config,
                                             std::string& smtp, std::string& pop3) {
        std::vector<std::string> argv = {
            mailharness, "serve",       "--smtp",    "127.0.0.1:0",
            "--pop3",    "127.0.0.1:0", "--maildir", (dir_ / (name + "-mail")).string(),
            "--quiet"};
        if (!config.empty()) {
            const auto file = dir_ / (name + ".yaml");
            std::ofstream(file) << config;
            argv.push_back("--config");
            argv.push_back(file.string());
        }
        auto server = std::make_unique<BackgroundProcess>(argv, dir_ / (name + ".out"),
                                                          dir_ / (name + ".err"));
        EXPECT_TRUE(server->wait_for_output("account", 10s)) << server->stderr_text();
        smtp = port_in(server->stdout_text(), R"(listening +smtp +127\.0\.0\.1:([0-9]+))");
        pop3 = port_in(server->stdout_text(), R"(listening +pop3 +127\.0\.0\.1:([0-9]+))");
        EXPECT_FALSE(smtp.empty() || pop3.empty()) << server->stdout_text();
        return server;
    }

    // Starts the proxy for one session and returns the port clients connect to.
    std::unique_ptr<BackgroundProcess> record(const std::string& upstream_port,
                                              const std::filesystem::path& out, bool pop3,
                                              std::string& port) {
        std::vector<std::string> argv = {mailharness,   "record",     "--listen",
                                         "127.0.0.1:0", "--upstream", "127.0.0.1:" + upstream_port,
                                         "--out",       out.string()};
        if (pop3) {
            argv.push_back("--pop3");
        }
        // Output files of their own: a new proxy must not read the last one's port.
        auto proxy =
            std::make_unique<BackgroundProcess>(argv, dir_ / (out.stem().string() + ".record.out"),
                                                dir_ / (out.stem().string() + ".record.err"));
        EXPECT_TRUE(proxy->wait_for_output("listening on", 10s)) << proxy->stderr_text();
        port = port_in(proxy->stdout_text(), R"(listening on 127\.0\.0\.1:([0-9]+))");
        EXPECT_FALSE(port.empty()) << proxy->stdout_text();
        return proxy;
    }

    // Waits for the proxy to write its file after the session and checks what it wrote.
    std::string finished(BackgroundProcess& proxy, const std::filesystem::path& out) {
        EXPECT_TRUE(proxy.wait_for_output("wrote", 15s))
            << proxy.stdout_text() << proxy.stderr_text();
        const std::string yaml = read_file(out);
        EXPECT_EQ(yaml.find("alice-pw"), std::string::npos) << "a password in the file:\n" << yaml;
        EXPECT_EQ(yaml.find("bob-pw"), std::string::npos) << "a password in the file:\n" << yaml;
        EXPECT_NE(yaml.find("- starttls: {}"), std::string::npos) << yaml;
        EXPECT_NE(yaml.find("- auth: {mechanism: "), std::string::npos) << yaml;
        EXPECT_EQ(run_process({mailharness, "validate", out.string()}).exit_code, 0);
        return yaml;
    }

    mh::integration::ProcessResult replay(const std::filesystem::path& file,
                                          const std::string& flag, const std::string& port) {
        return run_process({mailharness, "run", file.string(), flag, "127.0.0.1:" + port, "-v"});
    }

    std::filesystem::path python_script(const std::string& name, const std::string& code) {
        const auto path = dir_ / name;
        std::ofstream(path) << code;
        return path;
    }

    std::filesystem::path dir_;
};

// A TLS context that accepts the proxy's self-signed certificate.
const std::string python_tls =
    "import ssl, sys\n"
    "tls = ssl.create_default_context()\n"
    "tls.check_hostname = False\n"
    "tls.verify_mode = ssl.CERT_NONE\n";

TEST_F(RecordReplay, SwaksSmtplibAndPoplibSessionsReplay) {
    std::string smtp, pop3;
    auto server = serve("reference", "", smtp, pop3);

    // 1. swaks: STARTTLS, AUTH PLAIN, one message to bob.
    const auto swaks_case = dir_ / "swaks.yaml";
    std::string port;
    {
        auto proxy = record(smtp, swaks_case, false, port);
        const auto swaks = run_process(
            {require_program("/usr/bin/swaks"), "--server", "127.0.0.1:" + port, "--tls", "--auth",
             "PLAIN", "--auth-user", "alice", "--auth-password", "alice-pw", "--from",
             "alice@example.test", "--to", "bob@example.test", "--helo", "client.test"});
        ASSERT_EQ(swaks.exit_code, 0) << swaks.output;
        const std::string yaml = finished(*proxy, swaks_case);
        EXPECT_NE(yaml.find("send: \"EHLO client.test\""), std::string::npos) << yaml;
        EXPECT_NE(yaml.find("send: {data: "), std::string::npos) << yaml;
    }

    // 2. smtplib: STARTTLS, login (smtplib picks CRAM-MD5 or PLAIN), one message.
    const auto smtplib_case = dir_ / "smtplib.yaml";
    {
        auto proxy = record(smtp, smtplib_case, false, port);
        const auto script =
            python_script("smtp_client.py",
                          python_tls +
                              "import smtplib\n"
                              "with smtplib.SMTP('127.0.0.1', int(sys.argv[1])) as s:\n"
                              "    s.ehlo('python.test')\n"
                              "    s.starttls(context=tls)\n"
                              "    s.ehlo('python.test')\n"
                              "    s.login('alice', 'alice-pw')\n"
                              "    s.sendmail('alice@example.test', ['bob@example.test'],\n"
                              "               'Subject: from smtplib\\r\\n\\r\\n.hello\\r\\n')\n");
        const auto python = run_process({"/usr/bin/python3", script.string(), port});
        ASSERT_EQ(python.exit_code, 0) << python.output;
        finished(*proxy, smtplib_case);
    }

    // 3. poplib: STLS, USER/PASS as bob, STAT, LIST, RETR 1, QUIT.
    const auto poplib_case = dir_ / "poplib.yaml";
    {
        auto proxy = record(pop3, poplib_case, true, port);
        const auto script =
            python_script("pop3_client.py", python_tls +
                                                "import poplib\n"
                                                "p = poplib.POP3('127.0.0.1', int(sys.argv[1]))\n"
                                                "p.stls(context=tls)\n"
                                                "p.user('bob')\n"
                                                "p.pass_('bob-pw')\n"
                                                "assert p.stat()[0] == 2\n"
                                                "p.list()\n"
                                                "p.retr(1)\n"
                                                "p.quit()\n");
        const auto python = run_process({"/usr/bin/python3", script.string(), port});
        ASSERT_EQ(python.exit_code, 0) << python.output;
        const std::string yaml = finished(*proxy, poplib_case);
        EXPECT_NE(yaml.find("- auth: {mechanism: USER, account: \"${login1}\"}"), std::string::npos)
            << yaml;
    }

    // Replays against the same server pass.
    for (const auto& [file, flag, endpoint] :
         {std::tuple{swaks_case, "--smtp", smtp}, std::tuple{smtplib_case, "--smtp", smtp},
          std::tuple{poplib_case, "--pop3", pop3}}) {
        const auto result = replay(file, flag, endpoint);
        EXPECT_EQ(result.exit_code, 0) << file << "\n" << result.output << read_file(file);
    }

    // Another host name and another greeting date: still passes. Another SIZE: fails.
    const std::string accounts =
        "domains: [example.test]\n"
        "accounts:\n"
        "  - {name: alice, address: alice@example.test, password: alice-pw}\n"
        "  - {name: bob, address: bob@example.test, password: bob-pw}\n";
    std::string other_smtp, other_pop3;
    auto renamed =
        serve("renamed", "hostname: relay.other.example\n" + accounts, other_smtp, other_pop3);
    const auto renamed_run = replay(swaks_case, "--smtp", other_smtp);
    EXPECT_EQ(renamed_run.exit_code, 0) << renamed_run.output;

    std::string small_smtp, small_pop3;
    auto changed = serve("changed", "limits: {max_message_size: 5242880}\n" + accounts, small_smtp,
                         small_pop3);
    const auto changed_run = replay(swaks_case, "--smtp", small_smtp);
    EXPECT_EQ(changed_run.exit_code, 1) << changed_run.output;
    EXPECT_NE(changed_run.output.find("SIZE 5242880"), std::string::npos) << changed_run.output;
}

TEST_F(RecordReplay, UnreachableUpstreamRecordsNothing) {
    // Port 1: nothing listens there, the connection is refused.
    std::string port;
    const auto out = dir_ / "nothing.yaml";
    auto proxy = record("1", out, false, port);
    const auto swaks =
        run_process({require_program("/usr/bin/swaks"), "--server", "127.0.0.1:" + port,
                     "--quit-after", "CONNECT", "--timeout", "5"});
    EXPECT_NE(swaks.exit_code, 0) << swaks.output;
    EXPECT_EQ(proxy->stop(0, 10s), 3);  // signal 0 only waits: exit 3, nothing recorded
    EXPECT_NE(proxy->stderr_text().find("cannot connect to the upstream"), std::string::npos)
        << proxy->stderr_text();
    EXPECT_FALSE(std::filesystem::exists(out));
}

TEST(RecordUsage, BadFlagsAreUsageErrorsOnStderr) {
    const auto missing = run_process({mailharness, "record", "--out", "x.yaml"});
    EXPECT_EQ(missing.exit_code, 2) << missing.output;
    EXPECT_NE(missing.output.find("--upstream is required"), std::string::npos) << missing.output;
    const auto bad = run_process(
        {mailharness, "record", "--listen", "localhost:25", "--upstream", "a:1", "--out", "x"});
    EXPECT_EQ(bad.exit_code, 2) << bad.output;
    EXPECT_NE(bad.output.find("--listen"), std::string::npos) << bad.output;
}

}  // namespace
