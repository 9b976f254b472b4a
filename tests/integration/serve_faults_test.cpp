// Fault injection (issue 8, docs/faults.md): a real client (Python's smtplib and poplib) sees
// the injected replies, delays, malformed replies and disconnects; the plan is deterministic
// under its seed; bad plans are refused with FILE:LINE:COLUMN.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "reference/config/config.hpp"
#include "reference/faults/fault_plan.hpp"
#include "tests/integration/process.hpp"
#include "tests/integration/test_server.hpp"

namespace mh::integration {
namespace {

using reference::Service;

const std::string client_script = std::string(MH_TESTS_DIR) + "/fault_client.py";

std::string run_client(std::vector<std::string> args) {
    args.insert(args.begin(), {require_program("/usr/bin/python3"), client_script});
    const ProcessResult result = run_process(args);
    EXPECT_EQ(result.exit_code, 0) << result.output;
    return result.output;
}

bool has_line(const std::string& output, const std::string& line) {
    return ("\n" + output).find("\n" + line) != std::string::npos;
}

constexpr const char* plan_yaml = R"(seed: 1
faults:
  - {protocol: smtp, command: RCPT, nth: 2, action: reply, reply: "451 4.3.0 Injected RCPT failure"}
  - {protocol: smtp, command: MESSAGE, nth: 1, action: reply, reply: "452 4.3.1 Injected storage failure"}
  - {protocol: smtp, command: NOOP, action: malformed, reply: "2x0 broken\r\n"}
  - {protocol: smtp, command: HELP, action: delay, delay_ms: 400}
  - {protocol: smtp, command: VRFY, action: disconnect}
  - {protocol: pop3, command: stat, action: reply, reply: "-ERR [SYS/TEMP] injected"}
)";

TEST(ServeFaults, ARealClientSeesEachInjectedFault) {
    TestServer server([](reference::Config& c) {
        c.faults = reference::parse_fault_plan(plan_yaml, "plan.yaml");
        c.auth_requires_tls = false;
        c.vrfy_enabled = true;
    });
    const std::string smtp = run_client({"smtp", std::to_string(server.port(Service::smtp))});
    EXPECT_TRUE(has_line(smtp, "help 214 0.4")) << smtp;  // answered after the delay
    EXPECT_TRUE(has_line(smtp, "noop -1 ")) << smtp;      // smtplib cannot parse it
    EXPECT_TRUE(has_line(smtp, "rcpt 250 ")) << smtp;
    EXPECT_TRUE(has_line(smtp, "rcpt 451 4.3.0 Injected RCPT failure")) << smtp;
    EXPECT_TRUE(has_line(smtp, "data 452 4.3.1 Injected storage failure")) << smtp;
    EXPECT_TRUE(has_line(smtp, "second-message 250")) << smtp;
    EXPECT_TRUE(has_line(smtp, "vrfy disconnected")) << smtp;
    // The faulted message was not stored; the second one was, once.
    const auto box = server.new_dir("alice");
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(box),
                            std::filesystem::directory_iterator{}),
              1);
    const std::string pop = run_client({"pop3", std::to_string(server.port(Service::pop3))});
    EXPECT_TRUE(has_line(pop, "stat -ERR [SYS/TEMP] injected")) << pop;
    EXPECT_TRUE(has_line(pop, "list +OK")) << pop;  // the session goes on
}

std::string greetings(std::uint64_t seed) {
    TestServer server([&](reference::Config& c) {
        c.faults = reference::parse_fault_plan(
            "faults: [{protocol: pop3, command: CONNECT, probability: 0.5, action: disconnect}]",
            "greet.yaml");
        c.faults.seed = seed;
    });
    return run_client({"greetings", std::to_string(server.port(Service::pop3)), "24"});
}

TEST(ServeFaults, TheSameSeedGivesTheSameFaults) {
    const std::string first = greetings(7);
    EXPECT_EQ(greetings(7), first);
    EXPECT_NE(first.find('G'), std::string::npos) << first;
    EXPECT_NE(first.find('x'), std::string::npos) << first;
    EXPECT_NE(greetings(8), first);  // 24 draws: another seed differs (checked for 7 and 8)
}

TEST(ServeFaults, BadPlansNameTheirPosition) {
    auto error = [](const char* yaml) {
        try {
            reference::parse_fault_plan(yaml, "f.yaml");
        } catch (const reference::ConfigError& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_EQ(error("faults:\n  - {command: RCPT, action: explode}\n"),
              "f.yaml:2:29: action must be reply, delay, disconnect or malformed");
    EXPECT_EQ(error("faults:\n  - {command: RCPT, action: reply}\n"),
              "f.yaml:2:5: action: reply needs 'reply', e.g. reply: \"451 4.3.0 Try later\"");
    EXPECT_EQ(error("faults:\n  - {command: RCPT, action: delay, delay_ms: 10, probability: 2}\n"),
              "f.yaml:2:63: probability must be a number from 0 to 1, e.g. 0.25");
    EXPECT_EQ(error("faults:\n  - {command: BDAT, action: disconnect}\n"),
              "f.yaml:2:15: BDAT cannot be faulted (its chunk follows at once): use MESSAGE");
    EXPECT_EQ(error("fault: []\n"),
              "f.yaml:1:1: unknown key 'fault' in the fault file (known: seed, faults)");
}

}  // namespace
}  // namespace mh::integration
