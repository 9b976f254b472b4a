// The runner's lenient SMTP reply parser (proto/smtp/reply_parser.hpp) on untrusted server output.
// Invariants: the same replies whatever the segmentation (0xFF = segment boundary); memory stays
// within the parser's limits; every put() makes progress; a reply without diagnostics is
// well-formed, so its wire form parses back to the same reply, again without diagnostics.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/support/fuzz_input.hpp"
#include "proto/smtp/reply_parser.hpp"

namespace {

using mh::fuzz::require;
using mh::proto::smtp::ParsedReply;
using mh::proto::smtp::ReplyParser;

// Small limits so that truncation and cut-off paths are reached by short inputs.
constexpr ReplyParser::Limits limits{
    .grammar_line = 512, .stored_line = 600, .lines_per_reply = 16};

std::vector<ParsedReply> parse_all(const std::vector<std::string_view>& segments) {
    ReplyParser parser(limits);
    std::vector<ParsedReply> replies;
    for (std::string_view segment : segments) {
        while (!segment.empty()) {
            const std::size_t used = parser.put(segment);
            require(used <= segment.size(), "put() consumed more than it was given");
            segment.remove_prefix(used);
            if (parser.has_reply()) {
                replies.push_back(parser.take());
            } else {
                require(used > 0, "put() made no progress without a complete reply");
            }
        }
    }
    parser.put_eof();
    if (parser.has_reply()) {
        replies.push_back(parser.take());
    }
    require(!parser.in_reply(), "bytes left in the parser after end of input");
    return replies;
}

bool same(const ParsedReply& a, const ParsedReply& b) {
    return a.reply.code == b.reply.code && a.reply.enhanced == b.reply.enhanced &&
           a.reply.lines == b.reply.lines && a.raw_lines == b.raw_lines &&
           a.diagnostics == b.diagnostics && a.cut_off == b.cut_off;
}

void check_bounded(const ParsedReply& parsed) {
    require(parsed.raw_lines.size() <= limits.lines_per_reply, "more lines kept than the limit");
    require(parsed.raw_lines.size() == parsed.reply.lines.size(), "raw and text lines disagree");
    for (const auto& line : parsed.raw_lines) {
        require(line.size() <= limits.stored_line, "a line kept beyond the stored limit");
    }
}

void check_round_trip(const ParsedReply& parsed) {
    if (!parsed.diagnostics.empty() || parsed.cut_off) {
        return;
    }
    require(parsed.reply.code >= 200 && parsed.reply.code <= 559, "well-formed reply, bad code");
    const auto again = parse_all({parsed.reply.wire()});
    require(again.size() == 1, "the wire form of a reply parsed as several replies");
    require(again[0].diagnostics.empty(), "the wire form of a well-formed reply has diagnostics");
    require(again[0].reply.code == parsed.reply.code &&
                again[0].reply.enhanced == parsed.reply.enhanced &&
                again[0].reply.lines == parsed.reply.lines,
            "a well-formed reply does not survive wire() and parsing");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static std::vector<std::string_view> segments;  // both reused across inputs
    static std::string whole;
    mh::fuzz::split_turns(mh::fuzz::as_text(data, size), segments);
    const auto replies = parse_all(segments);
    if (segments.size() > 1) {
        mh::fuzz::joined(segments, whole);
        const auto at_once = parse_all({whole});
        require(replies.size() == at_once.size(), "segmentation changed the number of replies");
        for (std::size_t i = 0; i < replies.size(); ++i) {
            require(same(replies[i], at_once[i]), "segmentation changed a reply");
        }
    }
    for (std::size_t i = 0; i < replies.size(); ++i) {
        check_bounded(replies[i]);
        check_round_trip(replies[i]);
    }
    return 0;
}
