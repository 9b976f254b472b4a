// The runner's lenient SMTP reply parser (proto/smtp/reply_parser.hpp) on untrusted server output.
// Invariants: the same replies whatever the segmentation (0xFF = segment boundary); memory stays
// within the parser's limits; every put() makes progress; a reply without diagnostics is
// well-formed, so its wire form parses back to the same reply, again without diagnostics.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/support/fuzz_input.hpp"
#include "fuzz/support/message_stream.hpp"
#include "proto/smtp/reply_parser.hpp"

namespace {

using mh::fuzz::require;
using mh::proto::smtp::ParsedReply;
using mh::proto::smtp::ReplyParser;

// Small limits so that truncation and cut-off paths are reached by short inputs.
constexpr ReplyParser::Limits limits{
    .grammar_line = 512, .stored_line = 600, .lines_per_reply = 16};

using ReplyStream = mh::fuzz::MessageStream<ReplyParser, ParsedReply, &ReplyParser::has_reply,
                                            &ReplyParser::in_reply>;

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

// `scratch`: a reply object of the current input, reused for every round trip.
void check_round_trip(const ParsedReply& parsed, ParsedReply& scratch) {
    if (!parsed.diagnostics.empty() || parsed.cut_off) {
        return;
    }
    require(parsed.reply.code >= 200 && parsed.reply.code <= 559, "well-formed reply, bad code");
    static std::string wire;  // only grows: reused across inputs
    wire.clear();
    parsed.reply.append_wire(wire);
    const std::string_view bytes = wire;
    ReplyStream again(ReplyParser(limits), std::span(&bytes, 1));
    require(again.next(scratch) && !again.next(scratch),
            "the wire form of a reply did not parse as exactly one reply");
    require(scratch.diagnostics.empty(), "the wire form of a well-formed reply has diagnostics");
    require(scratch.reply.code == parsed.reply.code &&
                scratch.reply.enhanced == parsed.reply.enhanced &&
                scratch.reply.lines == parsed.reply.lines,
            "a well-formed reply does not survive wire() and parsing");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static std::vector<std::string_view> segments;  // both only grow: reused across inputs
    static std::string whole;
    mh::fuzz::split_turns(mh::fuzz::as_text(data, size), segments);
    const bool segmented = segments.size() > 1;
    if (segmented) {
        mh::fuzz::joined(segments, whole);
    }
    const std::string_view whole_view = whole;
    ReplyStream split(ReplyParser(limits), segments);
    ReplyStream at_once(ReplyParser(limits), std::span(&whole_view, 1));
    ParsedReply scratch;  // reused by every round trip of this input
    mh::fuzz::check_in_step<ReplyStream, ParsedReply>(split, at_once, segmented, same,
                                                      [&](const ParsedReply& reply) {
                                                          check_bounded(reply);
                                                          check_round_trip(reply, scratch);
                                                      });
    return 0;
}
