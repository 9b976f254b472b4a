// The runner's lenient SMTP reply parser (proto/smtp/reply_parser.hpp) on untrusted server output.
// Invariants: the same replies whatever the segmentation (0xFF = segment boundary); memory stays
// within the parser's limits; every put() makes progress; a reply without diagnostics is
// well-formed, so its wire form parses back to the same reply, again without diagnostics.
// The parser's replies are checked in place (ReplyParser::view()); take(), a copy of the same
// view, is covered by the unit tests and by fuzz_smtp_session.
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
using mh::fuzz::same_string;
using mh::fuzz::same_strings;
using mh::proto::smtp::ReplyParser;
using mh::proto::smtp::ReplyView;

// Limits scaled down from the runner's (512 octets, RFC 5321 4.5.3.1.5) to the inputs' length
// (max_len 256): a line past both and a reply cut off after 16 lines fit in one input, so every
// path is reached by short, fast inputs. The limits are parameters, not paths of their own; the
// real values are the unit tests'.
constexpr ReplyParser::Limits limits{.grammar_line = 64, .stored_line = 80, .lines_per_reply = 16};

using ReplyStream = mh::fuzz::MessageStream<ReplyParser, ReplyView, &ReplyParser::has_reply,
                                            &ReplyParser::in_reply>;

// One parser per stream for the whole process, reset for every input: their storage only grows.
ReplyParser split_parser(limits);
ReplyParser at_once_parser(limits);
ReplyParser round_trip_parser(limits);

bool same(const ReplyView& a, const ReplyView& b) {
    return a.code == b.code && same_string(a.enhanced, b.enhanced) &&
           same_strings(a.lines, b.lines) && same_strings(a.raw_lines, b.raw_lines) &&
           mh::fuzz::same_diagnostics(a.diagnostics, b.diagnostics) && a.cut_off == b.cut_off;
}

void check_bounded(const ReplyView& parsed) {
    require(parsed.raw_lines.size() <= limits.lines_per_reply, "more lines kept than the limit");
    require(parsed.raw_lines.size() == parsed.lines.size(), "raw and text lines disagree");
    for (const auto line : parsed.raw_lines) {
        require(line.size() <= limits.stored_line, "a line kept beyond the stored limit");
    }
}

void check_round_trip(const ReplyView& parsed) {
    if (!parsed.diagnostics.empty() || parsed.cut_off) {
        return;
    }
    require(parsed.code >= 200 && parsed.code <= 559, "well-formed reply, bad code");
    static std::string wire;  // only grows: reused across inputs
    wire.clear();
    mh::proto::smtp::append_reply_wire(wire, parsed.code, parsed.enhanced, parsed.lines);
    // Parsed straight from the parser (not through a ReplyStream): one put() must take the
    // whole wire form as one reply, so nothing is left for a second.
    round_trip_parser.reset();
    require(round_trip_parser.put(wire) == wire.size() && round_trip_parser.has_reply(),
            "the wire form of a reply did not parse as exactly one reply");
    const ReplyView reparsed = round_trip_parser.view();
    require(reparsed.diagnostics.empty(), "the wire form of a well-formed reply has diagnostics");
    require(reparsed.code == parsed.code && same_string(reparsed.enhanced, parsed.enhanced) &&
                same_strings(reparsed.lines, parsed.lines),
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
    ReplyStream split(split_parser, segments);
    ReplyStream at_once(at_once_parser, std::span(&whole_view, 1));
    mh::fuzz::check_in_step<ReplyStream, ReplyView>(split, at_once, segmented, same,
                                                    [](const ReplyView& reply) {
                                                        check_bounded(reply);
                                                        check_round_trip(reply);
                                                    });
    return 0;
}
