// The runner's lenient POP3 response parser (proto/pop3/response_parser.hpp) on untrusted server
// output. Byte 0 of the input says which responses the client expects a body for (bit i for
// response i, cycling), the rest is the server's bytes (0xFF = segment boundary).
// Invariants: the same responses whatever the segmentation; memory within the limits; put()
// makes progress; a response without diagnostics re-serialises (status line, stuffed body, ".")
// to bytes that parse back to the same response. The parser's responses are checked in place
// (ResponseParser::view()); take(), a copy of the same view, is covered by the unit tests and by
// the POP3 session targets.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/support/fuzz_input.hpp"
#include "fuzz/support/message_stream.hpp"
#include "proto/pop3/response_parser.hpp"

namespace {

using mh::fuzz::require;
using mh::fuzz::same_string;
using mh::fuzz::same_strings;
using mh::proto::pop3::ResponseParser;
using mh::proto::pop3::ResponseView;
using mh::proto::pop3::Status;

// Limits scaled down from the runner's (512 octets, RFC 2449 4) to the inputs' length (max_len
// 256): a line past both and a body past its limit fit in one input, so the truncated-line and
// "counted, not kept" paths are reached by short, fast inputs. The limits are parameters, not
// paths of their own; the real values are the unit tests'.
constexpr ResponseParser::Limits limits{
    .grammar_line = 64, .stored_line = 80, .body_bytes = 128, .diagnostics = 8};

// One parser per stream for the whole process, reset for every input: their storage only grows.
ResponseParser split_parser(limits);
ResponseParser at_once_parser(limits);
ResponseParser round_trip_parser(limits);

bool body_expected(std::uint8_t flags, std::size_t index) {
    return ((static_cast<unsigned>(flags) >> (index % 8U)) & 1U) != 0;
}

using ResponseStream =
    mh::fuzz::MessageStream<ResponseParser, ResponseView, &ResponseParser::has_response,
                            &ResponseParser::in_response>;

// A stream over `segments` whose i-th response expects a body when bit i of `flags` says so.
class FlaggedStream {
  public:
    FlaggedStream(ResponseParser& parser, std::span<const std::string_view> segments,
                  std::uint8_t flags)
        : stream_(parser, segments), flags_(flags) {
        stream_.parser().expect_body(body_expected(flags_, 0));
    }

    // As MessageStream::next(); the parser keeps expect_body() across its next().
    bool next(ResponseView& into) {
        if (!stream_.next(into)) {
            return false;
        }
        stream_.parser().expect_body(body_expected(flags_, ++taken_));
        return true;
    }

  private:
    ResponseStream stream_;
    std::uint8_t flags_;
    std::size_t taken_ = 0;
};

bool same(const ResponseView& a, const ResponseView& b) {
    return a.status == b.status && same_string(a.status_line, b.status_line) &&
           same_string(a.text, b.text) && same_string(a.resp_code, b.resp_code) &&
           a.multiline == b.multiline && same_strings(a.body, b.body) &&
           a.body_octets == b.body_octets &&
           mh::fuzz::same_diagnostics(a.diagnostics, b.diagnostics) && a.cut_off == b.cut_off;
}

void check_bounded(const ResponseView& parsed) {
    std::size_t kept = 0;
    for (const auto line : parsed.body) {
        require(line.size() <= limits.stored_line, "a body line kept beyond the stored limit");
        kept += line.size();
    }
    require(kept <= limits.body_bytes, "more body bytes kept than the limit");
    require(parsed.diagnostics.size() <= limits.diagnostics + 1, "diagnostics not bounded");
    require(parsed.status != Status::invalid || !parsed.diagnostics.empty(),
            "an invalid status line without a diagnostic");
    require(parsed.multiline || parsed.body.empty(), "a body on a single-line response");
}

void check_round_trip(const ResponseView& parsed) {
    if (!parsed.diagnostics.empty() || parsed.cut_off) {
        return;
    }
    static std::string wire;  // only grows: reused across inputs
    wire.assign(parsed.status_line).append("\r\n");
    std::size_t octets = 0;
    if (parsed.multiline) {
        for (const auto line : parsed.body) {
            const std::size_t before = wire.size();
            mh::proto::pop3::append_stuffed(wire, line);
            wire.append("\r\n");
            octets += wire.size() - before;
        }
        wire += ".\r\n";
        require(octets == parsed.body_octets, "body_octets differs from the body's wire size");
    }
    // Parsed straight from the parser (not through a FlaggedStream): one put() must take the
    // whole wire form as one response, so nothing is left for a second.
    round_trip_parser.reset();
    round_trip_parser.expect_body(parsed.multiline);
    require(round_trip_parser.put(wire) == wire.size() && round_trip_parser.has_response(),
            "a re-serialised response did not parse as exactly one response");
    require(same(round_trip_parser.view(), parsed),
            "a well-formed response does not survive re-serialising");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    const std::uint8_t flags = data[0];
    static std::vector<std::string_view> segments;  // both only grow: reused across inputs
    static std::string whole;
    mh::fuzz::split_turns(mh::fuzz::as_text(data + 1, size - 1), segments);
    const bool segmented = segments.size() > 1;
    if (segmented) {
        mh::fuzz::joined(segments, whole);
    }
    const std::string_view whole_view = whole;
    FlaggedStream split(split_parser, segments, flags);
    FlaggedStream at_once(at_once_parser, std::span(&whole_view, 1), flags);
    mh::fuzz::check_in_step<FlaggedStream, ResponseView>(split, at_once, segmented, same,
                                                         [](const ResponseView& response) {
                                                             check_bounded(response);
                                                             check_round_trip(response);
                                                         });
    return 0;
}
