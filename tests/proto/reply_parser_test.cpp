// The lenient SMTP reply parser: well-formed replies, every diagnostic, bounded memory, and the
// same result however the input is split (every input is fed split at every byte offset).
#include "proto/smtp/reply_parser.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mh::proto::smtp {
namespace {

// Feeds `first` then `second`, taking every completed reply; end of input when `eof`.
std::vector<ParsedReply> feed(ReplyParser& parser, std::string_view first, std::string_view second,
                              bool eof) {
    std::vector<ParsedReply> out;
    for (std::string_view part : {first, second}) {
        while (!part.empty()) {
            part.remove_prefix(parser.put(part));
            if (parser.has_reply()) {
                out.push_back(parser.take());
            }
        }
    }
    if (eof) {
        parser.put_eof();
        if (parser.has_reply()) {
            out.push_back(parser.take());
        }
    }
    return out;
}

// Feeds `input` in one piece, then the end of input, calling `handle` whenever a reply is
// complete (it takes the reply or calls next()).
template <class Handle>
void each_reply(ReplyParser& parser, std::string_view input, Handle handle) {
    while (!input.empty()) {
        input.remove_prefix(parser.put(input));
        if (parser.has_reply()) {
            handle();
        }
    }
    parser.put_eof();
    if (parser.has_reply()) {
        handle();
    }
}

// Parses `input` split at every offset and checks that each split gives the same replies.
std::vector<ParsedReply> parse_everywhere(std::string_view input, bool eof = false,
                                          ReplyParser::Limits limits = {}) {
    ReplyParser whole_parser(limits);
    const std::vector<ParsedReply> whole = feed(whole_parser, input, {}, eof);
    for (std::size_t cut = 1; cut < input.size(); ++cut) {
        ReplyParser parser(limits);
        const std::vector<ParsedReply> split =
            feed(parser, input.substr(0, cut), input.substr(cut), eof);
        EXPECT_EQ(split.size(), whole.size()) << "split at " << cut;
        for (std::size_t i = 0; i < std::min(split.size(), whole.size()); ++i) {
            EXPECT_EQ(split[i].reply.code, whole[i].reply.code) << "split at " << cut;
            EXPECT_EQ(split[i].reply.lines, whole[i].reply.lines) << "split at " << cut;
            EXPECT_EQ(split[i].reply.enhanced, whole[i].reply.enhanced) << "split at " << cut;
            EXPECT_EQ(split[i].raw_lines, whole[i].raw_lines) << "split at " << cut;
            EXPECT_EQ(split[i].diagnostics, whole[i].diagnostics) << "split at " << cut;
            EXPECT_EQ(split[i].cut_off, whole[i].cut_off) << "split at " << cut;
        }
    }
    return whole;
}

TEST(ReplyParser, SingleLineReply) {
    const auto replies = parse_everywhere("220 mail.example.test ESMTP ready\r\n");
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_EQ(replies[0].reply.code, 220);
    EXPECT_EQ(replies[0].reply.lines, std::vector<std::string>{"mail.example.test ESMTP ready"});
    EXPECT_TRUE(replies[0].diagnostics.empty());
    EXPECT_FALSE(replies[0].cut_off);
}

TEST(ReplyParser, CodeAloneIsAWellFormedReply) {
    // RFC 5321 4.2: Reply-code [ SP textstring ] CRLF
    const auto replies = parse_everywhere("250\r\n");
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_EQ(replies[0].reply.code, 250);
    EXPECT_EQ(replies[0].reply.lines, std::vector<std::string>{""});
    EXPECT_TRUE(replies[0].diagnostics.empty());
}

TEST(ReplyParser, MultiLineEhloReplyAndPipelinedFollowers) {
    const auto replies = parse_everywhere(
        "250-mail.example.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250 STARTTLS\r\n"
        "250 2.1.0 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n");
    ASSERT_EQ(replies.size(), 3u);
    EXPECT_EQ(replies[0].reply.lines, (std::vector<std::string>{"mail.example.test", "PIPELINING",
                                                                "SIZE 10240000", "STARTTLS"}));
    EXPECT_TRUE(replies[0].reply.enhanced.empty());
    EXPECT_EQ(replies[1].reply.enhanced, "2.1.0");
    EXPECT_EQ(replies[1].reply.lines, std::vector<std::string>{"Ok"});
    EXPECT_EQ(replies[2].reply.code, 354);
    for (const auto& reply : replies) {
        EXPECT_TRUE(reply.diagnostics.empty());
    }
}

TEST(ReplyParser, EnhancedCodeOnEveryLineIsStripped) {
    const auto replies = parse_everywhere("550-5.7.1 first\r\n550 5.7.1 second\r\n");
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_EQ(replies[0].reply.enhanced, "5.7.1");
    EXPECT_EQ(replies[0].reply.lines, (std::vector<std::string>{"first", "second"}));
    EXPECT_TRUE(replies[0].diagnostics.empty());
}

TEST(ReplyParser, EnhancedCodeMissingOnALineOrOfTheWrongClass) {
    auto replies = parse_everywhere("550-5.7.1 first\r\n550 second\r\n");
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_EQ(replies[0].diagnostics,
              std::vector<std::string>{"line 2 of the reply lacks the enhanced status code 5.7.1 "
                                       "that line 1 carries (RFC 2034 4)"});
    replies = parse_everywhere("250 5.1.0 odd\r\n");
    EXPECT_EQ(replies[0].diagnostics,
              std::vector<std::string>{
                  "enhanced code 5.1.0 does not match the class of reply code 250 (RFC 3463 2)"});
}

// The class is the code's first digit as received: "020" is of class 0, not 2 (its decimal
// value's first digit), so 2.0.0 does not match it.
TEST(ReplyParser, EnhancedCodeClassIsTheFirstDigitOfTheCodeAsReceived) {
    const auto replies = parse_everywhere("020 2.0.0 odd\r\n");
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_EQ(replies[0].diagnostics,
              (std::vector<std::string>{
                  "reply code 020 is outside the grammar of RFC 5321 4.2 (first digit 2-5, "
                  "second 0-5)",
                  "enhanced code 2.0.0 does not match the class of reply code 20 (RFC 3463 2)"}));
}

// In place, a diagnostic is a record: its kind and numbers, no text.
TEST(ReplyParser, ViewHoldsDiagnosticsAsRecords) {
    ReplyParser parser;
    parser.put("250-first\r\n251 second\r\n");
    ASSERT_TRUE(parser.has_reply());
    const ReplyView reply = parser.view();
    ASSERT_EQ(reply.diagnostics.size(), 1u);
    EXPECT_EQ(reply.diagnostics[0].kind, static_cast<std::uint8_t>(ReplyDiagnostic::code_differs));
    EXPECT_EQ(reply.diagnostics[0].numbers[0], 2u);
    EXPECT_EQ(reply.diagnostics[0].numbers[1], 251u);
    EXPECT_EQ(reply.diagnostics[0].numbers[2], 250u);
    EXPECT_EQ(diagnostic_texts(reply),
              std::vector<std::string>{"line 2 of the reply has code 251 but line 1 has 250 "
                                       "(RFC 5321 4.2.1: every line of a reply carries the same "
                                       "code)"});
}

TEST(ReplyParser, LineWithoutCodeInsideAMultiLineReply) {
    const auto replies = parse_everywhere("250-first\r\nsecond\r\n250 last\r\n");
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_EQ(replies[0].reply.lines, (std::vector<std::string>{"first", "second", "last"}));
    EXPECT_EQ(replies[0].diagnostics,
              std::vector<std::string>{
                  "line 2 of the reply lacks the code-hyphen continuation (\"250-\")"});
}

TEST(ReplyParser, MixedCodesAcrossLines) {
    const auto replies = parse_everywhere("250-first\r\n251 last\r\n");
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_EQ(replies[0].reply.code, 250);
    EXPECT_EQ(
        replies[0].diagnostics,
        std::vector<std::string>{"line 2 of the reply has code 251 but line 1 has 250 (RFC 5321 "
                                 "4.2.1: every line of a reply carries the same code)"});
}

TEST(ReplyParser, MissingSeparatorAfterTheCode) {
    const auto replies = parse_everywhere("250Ok\r\n");
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_EQ(replies[0].reply.code, 250);
    EXPECT_EQ(replies[0].reply.lines, std::vector<std::string>{"Ok"});
    EXPECT_EQ(
        replies[0].diagnostics,
        std::vector<std::string>{"line 1 of the reply lacks the space or hyphen after the code"});
}

TEST(ReplyParser, NonDigitCodeAndCodeOutsideTheGrammar) {
    auto replies = parse_everywhere("OK fine\r\n");
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_EQ(replies[0].reply.code, 0);
    EXPECT_EQ(replies[0].diagnostics,
              std::vector<std::string>{
                  "line 1 of the reply does not start with a three-digit reply code"});
    replies = parse_everywhere("611 what\r\n");
    EXPECT_EQ(replies[0].reply.code, 611);
    EXPECT_EQ(
        replies[0].diagnostics,
        std::vector<std::string>{
            "reply code 611 is outside the grammar of RFC 5321 4.2 (first digit 2-5, second 0-5)"});
}

TEST(ReplyParser, BareLineFeed) {
    const auto replies = parse_everywhere("250-a\n250 b\r\n");
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_EQ(replies[0].reply.lines, (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(replies[0].diagnostics,
              std::vector<std::string>{
                  "line 1 of the reply ends with a bare LF instead of CRLF (RFC 5321 2.3.8)"});
}

TEST(ReplyParser, OverlongLineIsReportedAndTruncated) {
    const std::string input = "250 " + std::string(100000, 'x') + "\r\n";
    ReplyParser::Limits limits;
    limits.stored_line = 1000;
    const auto replies = parse_everywhere(input.substr(0, 2000) + "\r\n");  // splits stay cheap
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_EQ(
        replies[0].diagnostics,
        std::vector<std::string>{"line 1 of the reply is 2002 octets long, over the 512 that RFC "
                                 "5321 4.5.3.1.5 allows"});
    ReplyParser parser(limits);
    EXPECT_EQ(parser.put(input), input.size());
    ASSERT_TRUE(parser.has_reply());
    const ParsedReply reply = parser.take();
    EXPECT_EQ(reply.raw_lines[0].size(), 1000u);
    EXPECT_EQ(
        reply.diagnostics,
        std::vector<std::string>{"line 1 of the reply is 100006 octets long, over the 512 that RFC "
                                 "5321 4.5.3.1.5 allows (only the first 1000 were kept)"});
}

TEST(ReplyParser, EndlessContinuationIsCutOffAtTheLineLimit) {
    ReplyParser::Limits limits;
    limits.lines_per_reply = 3;
    const auto replies = parse_everywhere("250-a\r\n250-b\r\n250-c\r\n250-d\r\n", false, limits);
    ASSERT_EQ(replies.size(), 1u);  // "250-d" waits for the rest of the next reply
    EXPECT_TRUE(replies[0].cut_off);
    EXPECT_EQ(replies[0].diagnostics,
              std::vector<std::string>{"the reply was cut off after 3 lines"});
}

TEST(ReplyParser, ConnectionClosedInTheMiddle) {
    auto replies = parse_everywhere("250-a\r\n250-b", true);
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_TRUE(replies[0].cut_off);
    EXPECT_EQ(replies[0].diagnostics,
              (std::vector<std::string>{
                  "line 2 of the reply has no line end (the connection closed)",
                  "the connection closed in the middle of the reply (after 2 lines)"}));
    replies = parse_everywhere("221 bye", true);
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_EQ(replies[0].reply.code, 221);
    EXPECT_TRUE(replies[0].cut_off);
}

TEST(ReplyParser, PutStopsAfterACompleteReply) {
    ReplyParser parser;
    const std::string input = "250 a\r\n250 b\r\n";
    EXPECT_EQ(parser.put(input), 7u);
    EXPECT_TRUE(parser.has_reply());
    EXPECT_EQ(parser.put(input.substr(7)), 0u);  // nothing taken until the reply is
    EXPECT_EQ(parser.take().reply.lines, std::vector<std::string>{"a"});
    EXPECT_FALSE(parser.in_reply());
    EXPECT_EQ(parser.put("250"), 3u);
    EXPECT_TRUE(parser.in_reply());
}

// take(into) hands the parser the storage of an earlier reply: nothing of that reply (lines,
// diagnostics, enhanced code, cut-off flag) may leak into the next ones.
TEST(ReplyParser, TakeIntoReusedStorageGivesTheSameReplies) {
    const std::string input =
        "250-first\r\n250-2.1.0 second\r\n250 third\r\n"  // three lines
        "550 5.1.1 no such user\r\n"                      // enhanced code
        "2x\r\n"                                          // diagnostics
        "354 go ahead\r\n"                                // none of these
        "421-4.4.2 closing\n421";                         // bare LF, cut off by EOF
    ReplyParser plain_parser;
    const std::vector<ParsedReply> expected = feed(plain_parser, input, {}, true);
    ASSERT_EQ(expected.size(), 5u);

    ReplyParser parser;
    std::vector<ParsedReply> slots(2);  // every reply into one of two reused objects
    std::size_t taken = 0;
    auto check = [&](const ParsedReply& got) {
        ASSERT_LT(taken, expected.size());
        const ParsedReply& want = expected[taken++];
        EXPECT_EQ(got.reply.code, want.reply.code) << "reply " << taken;
        EXPECT_EQ(got.reply.lines, want.reply.lines) << "reply " << taken;
        EXPECT_EQ(got.reply.enhanced, want.reply.enhanced) << "reply " << taken;
        EXPECT_EQ(got.raw_lines, want.raw_lines) << "reply " << taken;
        EXPECT_EQ(got.diagnostics, want.diagnostics) << "reply " << taken;
        EXPECT_EQ(got.cut_off, want.cut_off) << "reply " << taken;
    };
    each_reply(parser, input, [&] {
        ParsedReply& slot = slots[taken % 2];
        parser.take(slot);
        check(slot);
    });
    EXPECT_EQ(taken, expected.size());
    EXPECT_FALSE(parser.in_reply());
}

std::vector<std::string> strings(std::span<const std::string_view> views) {
    return {views.begin(), views.end()};
}

// view() shows in place what take() copies out, also when the parser's buffers grow in the
// middle of a reply (40 long lines); next() starts the following reply with nothing left over.
TEST(ReplyParser, ViewInPlaceIsWhatTakeCopies) {
    std::string input = "250-2.1.0 first\r\n";
    for (std::size_t i = 0; i < 40; ++i) {
        input += "250-2.1.0 " + std::string(100 + i, static_cast<char>('a' + i % 26)) + "\r\n";
    }
    input += "250 2.1.0 last\r\n";      // the enhanced code dropped from every line
    input += "5x\n";                    // diagnostics
    input += "421-4.4.2 closing\n421";  // cut off by EOF
    ReplyParser plain_parser;
    const std::vector<ParsedReply> expected = feed(plain_parser, input, {}, true);
    ASSERT_EQ(expected.size(), 3u);

    ReplyParser parser;
    std::size_t seen = 0;
    auto check_and_next = [&] {
        ASSERT_LT(seen, expected.size());
        const ReplyView got = parser.view();
        const ParsedReply& want = expected[seen++];
        EXPECT_EQ(got.code, want.reply.code) << "reply " << seen;
        EXPECT_EQ(got.enhanced, want.reply.enhanced) << "reply " << seen;
        EXPECT_EQ(strings(got.lines), want.reply.lines) << "reply " << seen;
        EXPECT_EQ(strings(got.raw_lines), want.raw_lines) << "reply " << seen;
        EXPECT_EQ(diagnostic_texts(got), want.diagnostics) << "reply " << seen;
        EXPECT_EQ(got.cut_off, want.cut_off) << "reply " << seen;
        parser.next();
    };
    each_reply(parser, input, check_and_next);
    EXPECT_EQ(seen, expected.size());
    EXPECT_EQ(expected[0].reply.lines.size(), 42u);
    EXPECT_EQ(expected[0].reply.lines.back(), "last");
}

// reset() is a new connection: the lines of an unfinished reply are gone.
TEST(ReplyParser, ResetForgetsAPartlyReceivedReply) {
    ReplyParser parser;
    EXPECT_EQ(parser.put("250-first\r\n250-sec"), 18u);
    EXPECT_TRUE(parser.in_reply());
    parser.reset();
    EXPECT_FALSE(parser.in_reply());
    EXPECT_EQ(parser.put("220 ready\r\n"), 11u);
    ASSERT_TRUE(parser.has_reply());
    const ReplyView reply = parser.view();
    EXPECT_EQ(reply.code, 220);
    EXPECT_EQ(strings(reply.lines), std::vector<std::string>{"ready"});
    EXPECT_EQ(strings(reply.raw_lines), std::vector<std::string>{"220 ready"});
    EXPECT_TRUE(reply.diagnostics.empty());
    EXPECT_FALSE(reply.cut_off);
}

// The parser keeps its lines in place while it reads them and copies them before put()
// returns: a caller may reuse its buffer at once (as smtp_delivery erases what was consumed).
// Two replies, the second spanning two put()s, a line cut at the stored limit between them.
TEST(ReplyParser, RepliesOutliveTheCallersBytes) {
    ReplyParser parser(ReplyParser::Limits{.grammar_line = 512, .stored_line = 16});
    const std::string cut = "250-" + std::string(20, 'x');  // 16 octets kept
    std::string buffer = "250-first\r\n" + cut + "\r\n250 2nd\r\n550-5.1.1 a\r\n550";
    EXPECT_EQ(parser.put(buffer), 11 + cut.size() + 2 + 9);
    buffer.assign(buffer.size(), '#');
    ASSERT_TRUE(parser.has_reply());
    ReplyView reply = parser.view();
    EXPECT_EQ(strings(reply.raw_lines),
              (std::vector<std::string>{"250-first", cut.substr(0, 16), "250 2nd"}));
    EXPECT_EQ(strings(reply.lines), (std::vector<std::string>{"first", cut.substr(4, 12), "2nd"}));
    parser.next();

    buffer = "550-5.1.1 a\r\n550";
    EXPECT_EQ(parser.put(buffer), buffer.size());
    buffer.assign(buffer.size(), '#');
    buffer = " 5.1.1 b\r\n";
    EXPECT_EQ(parser.put(buffer), buffer.size());
    buffer.assign(buffer.size(), '#');
    ASSERT_TRUE(parser.has_reply());
    reply = parser.view();
    EXPECT_EQ(reply.code, 550);
    EXPECT_EQ(reply.enhanced, "5.1.1");
    EXPECT_EQ(strings(reply.raw_lines), (std::vector<std::string>{"550-5.1.1 a", "550 5.1.1 b"}));
    EXPECT_EQ(strings(reply.lines), (std::vector<std::string>{"a", "b"}));
    EXPECT_TRUE(reply.diagnostics.empty());
}

TEST(LeadingEnhancedCode, Forms) {
    EXPECT_EQ(leading_enhanced_code("2.1.0 Ok"), "2.1.0");
    EXPECT_EQ(leading_enhanced_code("5.7.100"), "5.7.100");
    EXPECT_EQ(leading_enhanced_code("3.1.0 x"), "");
    EXPECT_EQ(leading_enhanced_code("2.1.0000 x"), "");
    EXPECT_EQ(leading_enhanced_code("2.1.0x"), "");
    EXPECT_EQ(leading_enhanced_code("2..0 x"), "");
}

}  // namespace
}  // namespace mh::proto::smtp
