// The suite and target loaders: the accepted format, and each error path with its message and
// position (every error of a file is collected, not just the first).
#include <gtest/gtest.h>

#include <string>

#include "harness/scenario/suite_loader.hpp"
#include "harness/scenario/target.hpp"

namespace mh::harness::scenario {
namespace {

SuiteLoad load(const std::string& yaml) {
    return parse_suite(yaml, "t.yaml", ".");
}

std::vector<std::string> messages(const std::vector<LoadError>& errors) {
    std::vector<std::string> out;
    for (const auto& error : errors) {
        out.push_back(error.format());
    }
    return out;
}

TEST(SuiteLoader, LoadsEveryStepKindAndExpandsFixtures) {
    const auto result = load(R"y(suite: s
protocol: smtp
spec: RFC5321
tags: [core]
variables: {sender: "me@${domain}"}
fixtures:
  greet:
    - expect: 220
    - send: EHLO x
    - expect: {code: 250, contains: [PIPELINING]}
cases:
  - id: a
    title: everything
    ref: "RFC3207 4.2"
    level: SHOULD
    requires: [STARTTLS]
    timeout: 2s
    steps:
      - use: greet
      - send: {raw: "NOOP\r\n"}
      - send: {lines: [NOOP, "MAIL FROM:<${sender}>"]}
      - send: {line: NOOP, repeat: 3}
      - send: {data: "Subject: x\n\nhi\n"}
      - send: {bytes: 1000, line_length: 50}
      - expect: [250, 251]
      - expect: 2xx
      - expect: {any: [{code: 501}, closed, {silence: 300ms}]}
      - capture: {id: "queued as (\\S+)"}
      - send: "NOOP ${id}"
      - starttls: {}
      - auth: {mechanism: CRAM-MD5, account: "${user1}"}
      - connect: {name: second}
      - send: QUIT
        on: second
      - sleep: 100ms
      - deliver: {to: alice, data: "x"}
)y");
    ASSERT_TRUE(result.suite) << messages(result.errors)[0];
    const Case& kase = result.suite->cases.at(0);
    EXPECT_EQ(kase.steps.size(), 19u);
    EXPECT_EQ(kase.spec, "RFC3207");
    EXPECT_EQ(kase.ref, "4.2");
    EXPECT_EQ(kase.level, Level::should);
    EXPECT_EQ(kase.timeout, Duration(2000));
    EXPECT_EQ(kase.mailboxes, std::vector<std::string>{"alice"});
    EXPECT_EQ(kase.steps[16].on, "second");
    EXPECT_EQ(std::get<Expectation>(kase.steps[2].action).written,
              "{code: 250, contains: [PIPELINING]}");
}

TEST(SuiteLoader, CollectsAllErrorsWithPositions) {
    const auto result = load(R"y(suite: s
protocol: smtp
spec: RFC5321
cases:
  - id: a
    tilte: typo
    level: must
    steps:
      - use: nope
      - expect: {code: 250, text: "(["}
      - send: "MAIL FROM:<${nobody}>"
      - sleep: 5 parsecs
  - id: a
    steps: [{expect: "+OK"}]
)y");
    EXPECT_FALSE(result.suite);
    const auto all = messages(result.errors);
    const std::vector<std::string> wanted = {
        "t.yaml:6:5: error: unknown key `tilte` in a case (did you mean `title`?)",
        "t.yaml:7:12: error: `level` must be MUST, SHOULD or MAY (upper case), not \"must\"",
        "t.yaml:9:14: error: unknown fixture `nope`; this suite defines no `fixtures:`",
        "t.yaml:10:35: error: `text` is not a valid regular expression",
        "t.yaml:12:16: error: `sleep` must be a duration such as 300ms, 5s or 1m",
        "t.yaml:11:9: error: undefined variable ${nobody}",  // checked once the case is complete
        "t.yaml:13:9: error: case id `a` is used twice in this suite",
        "t.yaml:14:22: error: expect: \"+OK\" is not an SMTP reply expectation",
    };
    ASSERT_EQ(all.size(), wanted.size()) << ::testing::PrintToString(all);
    for (std::size_t i = 0; i < wanted.size(); ++i) {
        EXPECT_EQ(all[i].substr(0, wanted[i].size()), wanted[i]) << all[i];
    }
}

TEST(SuiteLoader, StructuralErrors) {
    EXPECT_EQ(messages(load("suite: [").errors).at(0).substr(0, 36),
              "t.yaml:1:1: error: this is not valid");
    EXPECT_EQ(messages(load("- a").errors).at(0),
              "t.yaml:1:1: error: a suite file must be a map, not a list; write suite: NAME, "
              "protocol: smtp, cases: [...]");
    const auto missing = messages(load("suite: s\nprotocol: imap\n").errors);
    EXPECT_EQ(missing.at(0), "t.yaml:2:11: error: `protocol` must be smtp or pop3, not \"imap\"");
    EXPECT_EQ(missing.at(1),
              "t.yaml:1:1: error: a suite lacks the required key `cases`; write cases: [{id: ..., "
              "steps: [...]}]");
    const auto twice = messages(load("suite: s\nprotocol: pop3\ncases:\n  - id: a\n    steps:\n    "
                                     "  - {send: A, expect: \"+OK\"}\n")
                                    .errors);
    EXPECT_EQ(twice.at(0),
              "t.yaml:6:9: error: a step does one thing, this one has send and expect; split it "
              "into two steps");
    const auto capture = messages(load("suite: s\nprotocol: pop3\ncases:\n  - id: a\n    steps:\n  "
                                       "    - capture: {x: \"a+\"}\n")
                                      .errors);
    EXPECT_EQ(capture.at(0).substr(0, 57),
              "t.yaml:6:22: error: capture `x` must have exactly 1 group");
    const auto on = messages(load("suite: s\nprotocol: pop3\ncases:\n  - id: a\n    steps:\n      "
                                  "- {send: A, on: other}\n")
                                 .errors);
    EXPECT_EQ(on.at(0),
              "t.yaml:6:9: error: connection `other` is not open here; open it first with connect: "
              "{name: other}");
}

TEST(SuiteLoader, VariablesInRegexes) {
    const auto ok = load(
        "suite: s\nprotocol: smtp\ncases:\n  - id: a\n    steps:\n"
        "      - capture: {id: \"queued as ([A-Z0-9]+)\"}\n"
        "      - expect: {text: \"^${id} ${domain}$\"}\n");
    ASSERT_TRUE(ok.suite) << messages(ok.errors).at(0);
    const auto& expect = std::get<Expectation>(ok.suite->cases.at(0).steps.at(1).action);
    const auto& text = std::get<ReplyExpect>(expect.form).text;
    ASSERT_TRUE(text);
    EXPECT_TRUE(text->has_variables);
    EXPECT_EQ(text->regex, nullptr);  // compiled per run, with the values
    const auto undefined = messages(load("suite: s\nprotocol: smtp\ncases:\n  - id: a\n    "
                                         "steps:\n      - expect: {text: \"^${nobody}\"}\n")
                                        .errors);
    ASSERT_EQ(undefined.size(), 1u);
    EXPECT_EQ(undefined[0].substr(0, 48), "t.yaml:6:9: error: undefined variable ${nobody};");
    const auto broken = messages(load("suite: s\nprotocol: smtp\ncases:\n  - id: a\n    steps:\n"
                                      "      - expect: {text: \"(${domain}\"}\n")
                                     .errors);
    ASSERT_EQ(broken.size(), 1u);
    EXPECT_EQ(broken[0].rfind("t.yaml:6:24: error: `text` is not a valid regular expression", 0),
              0u)
        << broken[0];
}

TEST(SuiteLoader, EnhancedStatusPatterns) {
    const auto wrong = [](const std::string& pattern) {
        return messages(load("suite: s\nprotocol: smtp\ncases:\n  - id: a\n    steps:\n      "
                             "- expect: {enhanced: \"" +
                             pattern + "\"}\n")
                            .errors);
    };
    for (const char* good : {"2.1.0", "5.7.*", "2.x.x", "4.X.123"}) {
        EXPECT_TRUE(wrong(good).empty()) << good;
    }
    for (const char* bad : {"3.1.0", "5.7", "5.7.1.2", "5.1234.1", "5.a.1", "5..1"}) {
        const auto errors = wrong(bad);
        ASSERT_EQ(errors.size(), 1u) << bad;
        EXPECT_EQ(errors[0], "t.yaml:6:28: error: `enhanced` \"" + std::string(bad) +
                                 "\" is not an enhanced status code (RFC 3463 2); write "
                                 "\"2.1.0\", or with wildcards \"2.x.x\" or \"5.7.*\"");
    }
}

TEST(TargetLoader, ProfileAndErrors) {
    const auto good = parse_target(R"y(target: t
smtp: {host: 127.0.0.1, port: 2525, tls: starttls}
domain: example.test
accounts: [{user: alice, password: pw}]
waivers: [{case: "smtp-vrfy/*", reason: policy}]
limits: {max_message_size: 1000}
)y",
                                   "p.yaml");
    ASSERT_TRUE(good.profile);
    EXPECT_EQ(good.profile->accounts.at(0).address, "alice@example.test");
    EXPECT_EQ(good.profile->smtp->tls, TlsMode::starttls);
    EXPECT_EQ(good.profile->max_message_size, 1000u);

    const auto bad = parse_target(
        "target: t\nsmtp: {host: h, port: 99999, tls: maybe}\nwaivers: [{case: vrfy, reason: r}]\n",
        "p.yaml");
    const auto all = messages(bad.errors);
    ASSERT_EQ(all.size(), 3u) << ::testing::PrintToString(all);
    EXPECT_EQ(all[0], "p.yaml:2:23: error: `port` must be between 1 and 65535");
    EXPECT_EQ(all[1],
              "p.yaml:2:35: error: `tls` must be none, starttls or implicit, not \"maybe\"");
    EXPECT_EQ(all[2].substr(0, 73),
              "p.yaml:3:18: error: `case` is matched against full case ids (suite/case);");
}

}  // namespace
}  // namespace mh::harness::scenario
