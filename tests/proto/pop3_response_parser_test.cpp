// The lenient POP3 response parser: status lines, response codes, SASL continuations, bodies
// with dot-unstuffing, every diagnostic, bounded memory; each input is split at every offset.
#include "proto/pop3/response_parser.hpp"

#include <gtest/gtest.h>

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mh::proto::pop3 {
namespace {

// `bodies[i]`: whether the i-th response is expected to carry a body when +OK.
std::vector<ParsedResponse> feed(ResponseParser& parser, std::string_view first,
                                 std::string_view second, const std::vector<bool>& bodies,
                                 bool eof) {
    std::vector<ParsedResponse> out;
    auto arm = [&] { parser.expect_body(out.size() < bodies.size() && bodies[out.size()]); };
    arm();
    for (std::string_view part : {first, second}) {
        while (!part.empty()) {
            part.remove_prefix(parser.put(part));
            if (parser.has_response()) {
                out.push_back(parser.take());
                arm();
            }
        }
    }
    if (eof) {
        parser.put_eof();
        if (parser.has_response()) {
            out.push_back(parser.take());
        }
    }
    return out;
}

// Feeds `input` in one piece, then the end of input, calling `handle` whenever a response is
// complete (it takes the response or calls next(), and says whether the next one has a body).
template <class Handle>
void each_response(ResponseParser& parser, std::string_view input, Handle handle) {
    while (!input.empty()) {
        input.remove_prefix(parser.put(input));
        if (parser.has_response()) {
            handle();
        }
    }
    parser.put_eof();
    if (parser.has_response()) {
        handle();
    }
}

std::vector<ParsedResponse> parse_everywhere(std::string_view input,
                                             const std::vector<bool>& bodies, bool eof = false,
                                             ResponseParser::Limits limits = {}) {
    ResponseParser whole_parser(limits);
    const auto whole = feed(whole_parser, input, {}, bodies, eof);
    for (std::size_t cut = 1; cut < input.size(); ++cut) {
        ResponseParser parser(limits);
        const auto split = feed(parser, input.substr(0, cut), input.substr(cut), bodies, eof);
        EXPECT_EQ(split.size(), whole.size()) << "split at " << cut;
        for (std::size_t i = 0; i < std::min(split.size(), whole.size()); ++i) {
            EXPECT_EQ(split[i].status, whole[i].status) << "split at " << cut;
            EXPECT_EQ(split[i].status_line, whole[i].status_line) << "split at " << cut;
            EXPECT_EQ(split[i].text, whole[i].text) << "split at " << cut;
            EXPECT_EQ(split[i].resp_code, whole[i].resp_code) << "split at " << cut;
            EXPECT_EQ(split[i].body, whole[i].body) << "split at " << cut;
            EXPECT_EQ(split[i].body_octets, whole[i].body_octets) << "split at " << cut;
            EXPECT_EQ(split[i].diagnostics, whole[i].diagnostics) << "split at " << cut;
            EXPECT_EQ(split[i].cut_off, whole[i].cut_off) << "split at " << cut;
        }
    }
    return whole;
}

TEST(ResponseParser, StatusLinesAndResponseCodes) {
    const auto responses = parse_everywhere(
        "+OK POP3 ready <1896.697170952@dbc.mtview.ca.us>\r\n-ERR [IN-USE] mailbox "
        "locked\r\n+OK\r\n",
        {});
    ASSERT_EQ(responses.size(), 3u);
    EXPECT_EQ(responses[0].status, Status::ok);
    EXPECT_EQ(responses[0].text, "POP3 ready <1896.697170952@dbc.mtview.ca.us>");
    EXPECT_EQ(responses[1].status, Status::err);
    EXPECT_EQ(responses[1].resp_code, "IN-USE");
    EXPECT_EQ(responses[1].text, "[IN-USE] mailbox locked");
    EXPECT_EQ(responses[2].text, "");
    for (const auto& response : responses) {
        EXPECT_TRUE(response.diagnostics.empty());
        EXPECT_FALSE(response.multiline);
    }
}

TEST(ResponseParser, MultiLineBodyIsUnstuffed) {
    const auto responses = parse_everywhere(
        "+OK 120 octets\r\nSubject: x\r\n\r\n..leading dot\r\n.\r\n+OK next\r\n", {true});
    ASSERT_EQ(responses.size(), 2u);
    EXPECT_TRUE(responses[0].multiline);
    EXPECT_EQ(responses[0].body, (std::vector<std::string>{"Subject: x", "", ".leading dot"}));
    EXPECT_EQ(responses[0].body_octets, 12u + 2u + 15u);
    EXPECT_TRUE(responses[0].diagnostics.empty());
    EXPECT_EQ(responses[1].text, "next");
    EXPECT_EQ(stuffed(".leading dot"), "..leading dot");
}

TEST(ResponseParser, ErrorResponseHasNoBodyEvenWhenOneWasExpected) {
    const auto responses = parse_everywhere("-ERR no such message\r\n+OK\r\n", {true});
    ASSERT_EQ(responses.size(), 2u);
    EXPECT_FALSE(responses[0].multiline);
    EXPECT_EQ(responses[1].status, Status::ok);
}

TEST(ResponseParser, SaslContinuation) {
    const auto responses = parse_everywhere("+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2U+\r\n+ \r\n", {});
    ASSERT_EQ(responses.size(), 2u);
    EXPECT_EQ(responses[0].status, Status::continuation);
    EXPECT_EQ(responses[0].text, "PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2U+");
    EXPECT_EQ(responses[1].status, Status::continuation);
    EXPECT_TRUE(responses[1].diagnostics.empty());
}

TEST(ResponseParser, Diagnostics) {
    auto responses = parse_everywhere("OK fine\r\n", {});
    EXPECT_EQ(responses[0].status, Status::invalid);
    EXPECT_EQ(
        responses[0].diagnostics,
        std::vector<std::string>{"the status line starts with neither +OK nor -ERR (RFC 1939 3)"});
    responses = parse_everywhere("+OKfine\n", {});
    EXPECT_EQ(responses[0].status, Status::ok);
    EXPECT_EQ(responses[0].diagnostics,
              (std::vector<std::string>{
                  "the status line ends with a bare LF instead of CRLF (RFC 1939 3)",
                  "the status indicator +OK is not followed by a space (RFC 1939 3)"}));
    responses = parse_everywhere("-ERR [SYS/TEMP oops\r\n", {});
    EXPECT_EQ(responses[0].diagnostics,
              std::vector<std::string>{"the response code lacks its closing \"]\" (RFC 2449 8)"});
    responses = parse_everywhere("+OK\r\n.x\r\n.\r\n", {true});
    EXPECT_EQ(responses[0].body, std::vector<std::string>{"x"});
    EXPECT_EQ(
        responses[0].diagnostics,
        std::vector<std::string>{
            "body line 1 starts with \".\" but is not dot-stuffed (RFC 1939 3: \"..\" expected)"});
    responses = parse_everywhere("+OK " + std::string(600, 'x') + "\r\n", {});
    EXPECT_EQ(responses[0].diagnostics,
              std::vector<std::string>{
                  "the status line is 606 octets long, over the 512 that RFC 2449 4 allows"});
}

// The two texts no other test reads, and the odd pair a lone "+x" gets: the indicator "+"
// matches but lacks its space, so the line has no status and the indicator is named as such.
TEST(ResponseParser, DiagnosticTextsOfLineEndsAndALonePlus) {
    auto responses = parse_everywhere("+OK\r\nline\n.\r\n", {true});
    EXPECT_EQ(
        responses[0].diagnostics,
        std::vector<std::string>{"body line 1 ends with a bare LF instead of CRLF (RFC 1939 3)"});
    responses = parse_everywhere("-ERR no", {}, true);
    EXPECT_EQ(responses[0].diagnostics,
              std::vector<std::string>{"the status line has no line end (the connection closed)"});
    responses = parse_everywhere("+x\r\n", {});
    EXPECT_EQ(responses[0].status, Status::invalid);
    EXPECT_EQ(responses[0].diagnostics,
              (std::vector<std::string>{
                  "the status line starts with neither +OK nor -ERR (RFC 1939 3)",
                  "the status indicator invalid is not followed by a space (RFC 1939 3)"}));
}

TEST(ResponseParser, ConnectionClosedInTheBody) {
    const auto responses = parse_everywhere("+OK\r\nline\r\npart", {true}, true);
    ASSERT_EQ(responses.size(), 1u);
    EXPECT_TRUE(responses[0].cut_off);
    EXPECT_EQ(responses[0].body, (std::vector<std::string>{"line", "part"}));
    EXPECT_EQ(
        responses[0].diagnostics,
        std::vector<std::string>{
            "the connection closed before the body's terminating \".\" line (after 2 lines)"});
}

TEST(ResponseParser, BodyCutByEndOfInputLeavesTheParserIdle) {
    ResponseParser parser;
    parser.expect_body(true);
    const std::string input = "+OK\r\n";
    EXPECT_EQ(parser.put(input), input.size());
    parser.put_eof();
    ASSERT_TRUE(parser.has_response());
    EXPECT_TRUE(parser.take().cut_off);
    EXPECT_FALSE(parser.in_response());
    EXPECT_EQ(parser.put(input), input.size());
    ASSERT_TRUE(parser.has_response());
    EXPECT_FALSE(parser.take().multiline);
}

TEST(ResponseParser, BodyMemoryIsBounded) {
    ResponseParser::Limits limits;
    limits.body_bytes = 100;
    ResponseParser parser(limits);
    parser.expect_body(true);
    std::string input = "+OK\r\n";
    for (int i = 0; i < 1000; ++i) {
        input += "0123456789012345678\r\n";
    }
    input += ".\r\n";
    EXPECT_EQ(parser.put(input), input.size());
    ASSERT_TRUE(parser.has_response());
    const ParsedResponse response = parser.take();
    EXPECT_EQ(response.body.size(), 5u);
    EXPECT_EQ(response.body_octets, 21000u);
    EXPECT_EQ(
        response.diagnostics,
        std::vector<std::string>{"the body is over 100 bytes: the rest is counted, not kept"});
}

// Found by fuzz_pop3_response with a 600-octet stored limit: a body line cut to the limit had
// no diagnostic, so the body looked complete while its octet count disagreed with it.
TEST(ResponseParser, TruncatedBodyLineIsReported) {
    ResponseParser::Limits limits;
    limits.stored_line = 10;
    const auto responses =
        parse_everywhere("+OK\r\n0123456789abcdef\r\nshort\r\n.\r\n", {true}, false, limits);
    ASSERT_EQ(responses.size(), 1u);
    EXPECT_EQ(responses[0].body, (std::vector<std::string>{"0123456789", "short"}));
    EXPECT_EQ(responses[0].body_octets, 25u);
    EXPECT_EQ(
        responses[0].diagnostics,
        std::vector<std::string>{"body line 1 is 18 octets long: only the first 10 were kept"});
}

TEST(ResponseParser, DiagnosticsAreBounded) {
    std::string input = "+OK\r\n";
    for (int i = 0; i < 100; ++i) {
        input += "x\n";
    }
    input += ".\r\n";
    ResponseParser parser;
    parser.expect_body(true);
    parser.put(input);
    const ParsedResponse response = parser.take();
    ASSERT_EQ(response.diagnostics.size(), 21u);
    EXPECT_EQ(response.diagnostics.back(), "... and 80 more diagnostics");
}

std::vector<std::string> strings(std::span<const std::string_view> views) {
    return {views.begin(), views.end()};
}
const std::vector<std::string>& strings(const std::vector<std::string>& owned) {
    return owned;
}
// The texts of a response's diagnostics, taken (already text) or in place (records).
const std::vector<std::string>& texts(const ParsedResponse& response) {
    return response.diagnostics;
}
std::vector<std::string> texts(const ResponseView& response) {
    return diagnostic_texts(response);
}

// `got` (a ParsedResponse or a ResponseView) says what `want` says; `number` names it.
template <class Got>
void expect_same(const Got& got, const ParsedResponse& want, std::size_t number) {
    EXPECT_EQ(got.status, want.status) << "response " << number;
    EXPECT_EQ(got.status_line, want.status_line) << "response " << number;
    EXPECT_EQ(got.text, want.text) << "response " << number;
    EXPECT_EQ(got.resp_code, want.resp_code) << "response " << number;
    EXPECT_EQ(got.multiline, want.multiline) << "response " << number;
    EXPECT_EQ(strings(got.body), want.body) << "response " << number;
    EXPECT_EQ(got.body_octets, want.body_octets) << "response " << number;
    EXPECT_EQ(texts(got), want.diagnostics) << "response " << number;
    EXPECT_EQ(got.cut_off, want.cut_off) << "response " << number;
}

// take(into) hands the parser the storage of an earlier response: nothing of it (body lines,
// response code, diagnostics, flags) may leak into the next ones.
TEST(ResponseParser, TakeIntoReusedStorageGivesTheSameResponses) {
    const std::string input =
        "+OK [CODE] two lines\r\none\r\n..two\r\n.\r\n"  // body, response code
        "-ERR no\r\n"                                    // none of these
        "+OKbad\n"                                       // diagnostics
        "+OK listing\r\n.x\r\n.\r\n"                     // body, unstuffed line
        "+OK short\r\n"
        "+OK cut\r\nline";  // body cut off by EOF
    const std::vector<bool> bodies{true, false, false, true, false, true};
    ResponseParser plain_parser;
    const auto expected = feed(plain_parser, input, {}, bodies, true);
    ASSERT_EQ(expected.size(), 6U);

    ResponseParser parser;
    std::vector<ParsedResponse> slots(2);  // every response into one of two reused objects
    std::size_t taken = 0;
    auto take_and_check = [&] {
        ASSERT_LT(taken, expected.size());
        ParsedResponse& got = slots[taken % 2];
        parser.take(got);
        expect_same(got, expected[taken], taken + 1);
        ++taken;
        parser.expect_body(taken < bodies.size() && bodies[taken]);
    };
    parser.expect_body(bodies[0]);
    each_response(parser, input, take_and_check);
    EXPECT_EQ(taken, expected.size());
    EXPECT_FALSE(parser.in_response());
}

// view() shows in place what take() copies out; expect_body() set while a response is still in
// place applies to the next one (next() keeps it, take() clears it).
TEST(ResponseParser, ViewInPlaceIsWhatTakeCopies) {
    std::string input = "+OK [CODE] listing\r\n";
    for (std::size_t i = 0; i < 40; ++i) {  // the body buffer grows in the middle
        input += "." + std::string(100 + i, static_cast<char>('a' + i % 26)) + "\r\n";
    }
    input += ".\r\n-ERR no\r\n+OKbad\n+OK cut\r\nline";
    const std::vector<bool> bodies{true, false, false, true};
    ResponseParser plain_parser;
    const auto expected = feed(plain_parser, input, {}, bodies, true);
    ASSERT_EQ(expected.size(), 4U);

    ResponseParser parser;
    std::size_t seen = 0;
    auto check_and_next = [&] {
        ASSERT_LT(seen, expected.size());
        expect_same(parser.view(), expected[seen], seen + 1);
        ++seen;
        parser.expect_body(seen < bodies.size() && bodies[seen]);  // before next(): kept
        parser.next();
    };
    parser.expect_body(bodies[0]);
    each_response(parser, input, check_and_next);
    EXPECT_EQ(seen, expected.size());
    EXPECT_EQ(expected[0].body.size(), 40U);
    EXPECT_EQ(expected[0].resp_code, "CODE");
    EXPECT_TRUE(expected[3].multiline);
}

// The parser keeps body lines in place while it reads them and copies them before put()
// returns: a caller may reuse its buffer at once. A body over two put()s, with stuffed lines
// and a line that spans them.
TEST(ResponseParser, ResponsesOutliveTheCallersBytes) {
    ResponseParser parser;
    parser.expect_body(true);
    std::string buffer = "+OK [CODE] two\r\n..one\r\ntw";
    EXPECT_EQ(parser.put(buffer), buffer.size());
    buffer.assign(buffer.size(), '#');
    buffer = "o\r\n...\r\n.\r\n-ERR";
    EXPECT_EQ(parser.put(buffer), buffer.size() - 4);
    buffer.assign(buffer.size(), '#');
    ASSERT_TRUE(parser.has_response());
    const ResponseView response = parser.view();
    EXPECT_EQ(response.status_line, "+OK [CODE] two");
    EXPECT_EQ(response.resp_code, "CODE");
    EXPECT_EQ(strings(response.body), (std::vector<std::string>{".one", "two", ".."}));
    EXPECT_EQ(response.body_octets, 17U);
    EXPECT_TRUE(response.diagnostics.empty());
}

// in_response() and has_response() through each stage of a response: nothing yet, part of the
// status line, the body, complete (then next() and nothing again), and an end of input within
// the body, which completes the response as cut off.
TEST(ResponseParser, StagesOfAResponse) {
    ResponseParser parser;
    parser.expect_body(true);
    EXPECT_FALSE(parser.in_response());
    EXPECT_EQ(parser.put("+O"), 2U);
    EXPECT_TRUE(parser.in_response());
    EXPECT_FALSE(parser.has_response());
    EXPECT_EQ(parser.put("K\r\none\r\n"), 8U);
    EXPECT_TRUE(parser.in_response());
    EXPECT_FALSE(parser.has_response());
    EXPECT_EQ(parser.put(".\r\n+OK"), 3U);  // complete: the next response waits
    EXPECT_TRUE(parser.has_response());
    EXPECT_FALSE(parser.in_response());
    EXPECT_EQ(parser.put("+OK"), 0U);
    parser.next();
    EXPECT_FALSE(parser.has_response());
    EXPECT_FALSE(parser.in_response());
    EXPECT_EQ(parser.put("+OK\r\ntwo\r\n"), 10U);
    EXPECT_TRUE(parser.in_response());
    parser.put_eof();
    ASSERT_TRUE(parser.has_response());
    EXPECT_FALSE(parser.in_response());
    const ResponseView response = parser.view();
    EXPECT_TRUE(response.cut_off);
    EXPECT_EQ(strings(response.body), (std::vector<std::string>{"two"}));
    parser.put_eof();  // nothing changes once complete
    EXPECT_TRUE(parser.has_response());
}

// reset() is a new connection: an unfinished body and the expected body are forgotten.
TEST(ResponseParser, ResetForgetsAPartlyReceivedBody) {
    ResponseParser parser;
    parser.expect_body(true);
    EXPECT_EQ(parser.put("+OK\r\nline\r\n"), 11U);
    EXPECT_TRUE(parser.in_response());
    parser.reset();
    EXPECT_FALSE(parser.in_response());
    EXPECT_EQ(parser.put("+OK hi\r\nnot a body\r\n"), 8U);
    ASSERT_TRUE(parser.has_response());
    const ResponseView response = parser.view();
    EXPECT_EQ(response.status, Status::ok);
    EXPECT_EQ(response.text, "hi");
    EXPECT_FALSE(response.multiline);
    EXPECT_TRUE(response.body.empty());
    EXPECT_TRUE(response.diagnostics.empty());
}

}  // namespace
}  // namespace mh::proto::pop3
