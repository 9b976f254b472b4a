// Expectation matchers, wire forms of `send:` and the login mechanisms' computations.
#include <gtest/gtest.h>

#include "harness/run/matchers.hpp"
#include "harness/run/sasl.hpp"
#include "harness/run/wire.hpp"
#include "harness/scenario/suite_loader.hpp"

namespace mh::harness::run {
namespace {

namespace sc = scenario;

// The first step's expectation of a one-case suite of `protocol`.
sc::Expectation expectation(const std::string& protocol, const std::string& written) {
    const auto load = sc::parse_suite(
        "suite: s\nprotocol: " + protocol +
            "\nspec: R\ncases:\n  - id: a\n    steps:\n      - expect: " + written + "\n",
        "t.yaml", ".");
    EXPECT_TRUE(load.suite) << (load.errors.empty() ? "" : load.errors[0].format());
    return std::get<sc::Expectation>(load.suite->cases.at(0).steps.at(0).action);
}

Observation reply(const std::string& wire) {
    proto::smtp::ReplyParser parser;
    parser.put(wire);
    Observation observation;
    observation.kind = Observation::Kind::reply;
    observation.reply = parser.take();
    return observation;
}

Observation response(const std::string& wire, bool body) {
    proto::pop3::ResponseParser parser;
    parser.expect_body(body);
    parser.put(wire);
    Observation observation;
    observation.kind = Observation::Kind::response;
    observation.response = parser.take();
    return observation;
}

TEST(Matchers, SmtpForms) {
    const auto ehlo = reply("250-mx.test\r\n250-PIPELINING\r\n250 AUTH PLAIN LOGIN\r\n");
    EXPECT_TRUE(match(expectation("smtp", "2xx"), ehlo).ok);
    EXPECT_TRUE(match(expectation("smtp", "[251, 250]"), ehlo).ok);
    EXPECT_TRUE(
        match(expectation("smtp", "{code: 250, lines: 3, contains: [pipelining, AUTH LOGIN]}"),
              ehlo)
            .ok);
    EXPECT_EQ(match(expectation("smtp", "{contains: [AUTH CRAM-MD5, CHUNKING]}"), ehlo).why,
              "the EHLO keywords lack AUTH CRAM-MD5, CHUNKING");
    EXPECT_EQ(match(expectation("smtp", "354"), ehlo).why, "reply code 250, expected 354");
    const auto enhanced = reply("550 5.7.1 relaying denied\r\n");
    EXPECT_TRUE(match(expectation("smtp", "{code: 5xx, enhanced: \"5.7.1\", text: \"^relaying\"}"),
                      enhanced)
                    .ok);
    EXPECT_EQ(match(expectation("smtp", "{enhanced: \"5.1.1\"}"), enhanced).why,
              "enhanced status code 5.7.1, expected 5.1.1");
    EXPECT_EQ(match(expectation("smtp", "{text: denied$x}"), enhanced).why,
              "the reply text does not match /denied$x/");
}

TEST(Matchers, VariablesInRegexesMatchLiterally) {
    const auto load = sc::parse_suite(
        "suite: s\nprotocol: smtp\nvariables: {host: x}\ncases:\n  - id: a\n    steps:\n"
        "      - expect: {code: 250, text: \"^${host} ready$\"}\n",
        "t.yaml", ".");
    ASSERT_TRUE(load.suite) << load.errors.at(0).format();
    const auto& written = std::get<sc::Expectation>(load.suite->cases.at(0).steps.at(0).action);
    const sc::VariableLookup lookup = [](const std::string& name) -> std::optional<std::string> {
        return name == "host" ? std::optional<std::string>("a.b(c)") : std::nullopt;
    };
    const auto resolved = with_variables(written, lookup);
    ASSERT_TRUE(resolved);
    EXPECT_TRUE(match(*resolved, reply("250 a.b(c) ready\r\n")).ok);
    EXPECT_FALSE(match(*resolved, reply("250 aXb(c) ready\r\n")).ok);  // the dot is literal
    EXPECT_EQ(match(*resolved, reply("250 other ready\r\n")).why,
              "the reply text does not match /^a\\.b\\(c\\) ready$/");
    EXPECT_FALSE(with_variables(expectation("smtp", "{text: ready}"), lookup));
    EXPECT_EQ(regex_escape("1+1=2? [$^.|*{}\\]"), "1\\+1=2\\? \\[\\$\\^\\.\\|\\*\\{\\}\\\\\\]");
}

TEST(Matchers, EnhancedStatusWildcards) {
    const auto denied = reply("550 5.7.1 relaying denied\r\n");
    for (const char* pattern : {"5.x.x", "5.7.*", "5.7.x", "x.7.1", "5.*.1"}) {
        EXPECT_TRUE(
            match(expectation("smtp", std::string("{enhanced: \"") + pattern + "\"}"), denied).ok)
            << pattern;
    }
    EXPECT_EQ(match(expectation("smtp", "{enhanced: \"2.x.x\"}"), denied).why,
              "enhanced status code 5.7.1, expected 2.x.x");
    EXPECT_EQ(match(expectation("smtp", "{enhanced: \"5.1.*\"}"), denied).why,
              "enhanced status code 5.7.1, expected 5.1.*");
    EXPECT_EQ(match(expectation("smtp", "{enhanced: \"5.x.x\"}"), reply("550 denied\r\n")).why,
              "no enhanced status code, expected 5.x.x");
    EXPECT_FALSE(
        match(expectation("smtp", "{enhanced: \"5.7.1\"}"), reply("550 5.7.10 other\r\n")).ok);
}

TEST(Matchers, ClosedSilenceAndAny) {
    Observation closed;
    closed.kind = Observation::Kind::closed;
    Observation nothing;
    nothing.kind = Observation::Kind::timeout;
    nothing.waited_ms = 300;
    EXPECT_TRUE(match(expectation("smtp", "closed"), closed).ok);
    EXPECT_EQ(match(expectation("smtp", "closed"), nothing).why,
              "expected the server to close the connection, got nothing within 300 ms");
    EXPECT_TRUE(match(expectation("smtp", "{silence: 300ms}"), nothing).ok);
    EXPECT_FALSE(match(expectation("smtp", "{silence: 300ms}"), closed).ok);
    auto late = reply("250 ok\r\n");
    late.first_byte_ms = 500;
    EXPECT_TRUE(match(expectation("smtp", "{silence: 300ms}"), late).ok);
    const auto any = expectation("smtp", "{any: [{code: 501}, closed]}");
    EXPECT_TRUE(match(any, closed).ok);
    EXPECT_EQ(match(any, reply("250 ok\r\n")).why,
              "no alternative matched ({code: 501}: reply code 250, expected 501; closed: expected "
              "the server to "
              "close the connection, got 250 ok)");
    EXPECT_EQ(
        wait_for(expectation("smtp", "{any: [{silence: 1s}, {silence: 2s}]}"), sc::Duration(5000)),
        sc::Duration(2000));
    // A silence among other alternatives: once it has passed, the step has passed.
    EXPECT_EQ(wait_for(expectation("smtp", "{any: [closed, {silence: 200ms}]}"), sc::Duration(500)),
              sc::Duration(200));
    EXPECT_EQ(wait_for(expectation("smtp", "{any: [{code: 501}, closed]}"), sc::Duration(500)),
              sc::Duration(500));
}

TEST(Matchers, GrammarDiagnosticsFailTheReply) {
    EXPECT_EQ(match(expectation("smtp", "250"), reply("250-a\r\nb\r\n250 c\r\n")).why,
              "the reply breaks the grammar: line 2 of the reply lacks the code-hyphen "
              "continuation (\"250-\")");
}

TEST(Matchers, Pop3Forms) {
    const auto list = response("+OK 2 lines\r\n1 120\r\n..dot\r\n.\r\n", true);
    EXPECT_TRUE(match(expectation("pop3", "\"+OK\""), list).ok);
    EXPECT_TRUE(
        match(expectation(
                  "pop3",
                  "{status: \"+OK\", multiline: true, body: {lines: 2, matches: \"^\\\\.dot$\"}}"),
              list)
            .ok);
    EXPECT_EQ(match(expectation("pop3", "\"-ERR\""), list).why, "status +OK, expected -ERR");
    EXPECT_EQ(match(expectation("pop3", "{body: {lines: 3}}"), list).why,
              "2 body lines, expected 3");
    const auto locked = response("-ERR [IN-USE] locked\r\n", false);
    EXPECT_TRUE(match(expectation("pop3", "{status: \"-ERR\", resp_code: IN-USE}"), locked).ok);
    EXPECT_EQ(match(expectation("pop3", "{multiline: true}"), locked).why,
              "no multi-line body followed the status line");
    EXPECT_EQ(body_hint(expectation("pop3", "{body: {lines: 1}}")), true);
}

TEST(Wire, RawDataAndGeneratedContent) {
    EXPECT_EQ(decode_escapes("A\\r\\nB\\x00\\t\\\\\\q"), std::string("A\r\nB\0\t\\\\q", 9));
    EXPECT_EQ(data_payload("a\n.b\r\nc"), "a\r\n..b\r\nc\r\n.\r\n");
    EXPECT_EQ(data_payload(""), ".\r\n");
    const std::string generated = generated_payload(100, 10);
    EXPECT_EQ(generated.size(), 103u);
    EXPECT_TRUE(generated.ends_with("\r\n.\r\n"));
    EXPECT_EQ(generated.find('\r'), 10u);
}

// What record and the fuzzer write decodes back to the same bytes, every byte value included.
TEST(Wire, QuotedRawDecodesToTheSameBytes) {
    std::string every_byte;
    for (int byte = 0; byte < 256; ++byte) {
        every_byte += static_cast<char>(byte);
    }
    for (const std::string& bytes :
         {every_byte, std::string("MAIL FROM:<'a\\b'>\r\n"), std::string("\\x41 is not A")}) {
        const std::string quoted = quote_raw(bytes);
        ASSERT_TRUE(quoted.starts_with('\'') && quoted.ends_with('\''));
        std::string scalar = quoted.substr(1, quoted.size() - 2);
        for (std::size_t at = 0; (at = scalar.find("''", at)) != std::string::npos; ++at) {
            scalar.erase(at, 1);  // YAML's '' inside single quotes
        }
        for (char c : scalar) {
            EXPECT_TRUE(c >= 0x20 && c < 0x7f) << "unprintable byte in " << quoted;
        }
        EXPECT_EQ(decode_escapes(scalar), bytes);
    }
}

TEST(Sasl, KnownAnswers) {
    EXPECT_EQ(sasl::plain_response("tim", "tanstaaftanstaaf"),
              "AHRpbQB0YW5zdGFhZnRhbnN0YWFm");  // RFC 4616 style
    // RFC 2195 section 2 example.
    EXPECT_EQ(sasl::cram_md5_response("tim", "tanstaaftanstaaf",
                                      "PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+"),
              "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw");
    // RFC 1939 section 7 example.
    EXPECT_EQ(sasl::apop_digest("POP3 server ready <1896.697170952@dbc.mtview.ca.us>", "tanstaaf"),
              "c4c9334bac560ecc979e58001b3e22fb");
    EXPECT_EQ(sasl::apop_digest("no timestamp", "x"), std::nullopt);
    EXPECT_EQ(sasl::base64_decode("YQ=="), "a");
    EXPECT_EQ(sasl::base64_decode("Y!=="), std::nullopt);
}

}  // namespace
}  // namespace mh::harness::run
