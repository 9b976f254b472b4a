// The runner's lenient POP3 response parser (proto/pop3/response_parser.hpp) on untrusted server
// output. Byte 0 of the input says which responses the client expects a body for (bit i for
// response i, cycling), the rest is the server's bytes (0xFF = segment boundary).
// Invariants: the same responses whatever the segmentation; memory within the limits; put()
// makes progress; a response without diagnostics re-serialises (status line, stuffed body, ".")
// to bytes that parse back to the same response.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/support/fuzz_input.hpp"
#include "proto/pop3/response_parser.hpp"

namespace {

using mh::fuzz::require;
using mh::proto::pop3::ParsedResponse;
using mh::proto::pop3::ResponseParser;
using mh::proto::pop3::Status;

// Small line and body limits so that the truncated-line and "counted, not kept" paths are
// reached by short inputs.
constexpr ResponseParser::Limits limits{
    .grammar_line = 512, .stored_line = 600, .body_bytes = 1024, .diagnostics = 8};

bool body_expected(std::uint8_t flags, std::size_t index) {
    return ((static_cast<unsigned>(flags) >> (index % 8U)) & 1U) != 0;
}

std::vector<ParsedResponse> parse_all(const std::vector<std::string_view>& segments,
                                      std::uint8_t flags) {
    ResponseParser parser(limits);
    std::vector<ParsedResponse> responses;
    parser.expect_body(body_expected(flags, 0));
    for (std::string_view segment : segments) {
        while (!segment.empty()) {
            const std::size_t used = parser.put(segment);
            require(used <= segment.size(), "put() consumed more than it was given");
            segment.remove_prefix(used);
            if (parser.has_response()) {
                responses.push_back(parser.take());
                parser.expect_body(body_expected(flags, responses.size()));
            } else {
                require(used > 0, "put() made no progress without a complete response");
            }
        }
    }
    parser.put_eof();
    if (parser.has_response()) {
        responses.push_back(parser.take());
    }
    require(!parser.in_response(), "bytes left in the parser after end of input");
    return responses;
}

bool same(const ParsedResponse& a, const ParsedResponse& b) {
    return a.status == b.status && a.status_line == b.status_line && a.text == b.text &&
           a.resp_code == b.resp_code && a.multiline == b.multiline && a.body == b.body &&
           a.body_octets == b.body_octets && a.diagnostics == b.diagnostics &&
           a.cut_off == b.cut_off;
}

void check_bounded(const ParsedResponse& parsed) {
    std::size_t kept = 0;
    for (const auto& line : parsed.body) {
        require(line.size() <= limits.stored_line, "a body line kept beyond the stored limit");
        kept += line.size();
    }
    require(kept <= limits.body_bytes, "more body bytes kept than the limit");
    require(parsed.diagnostics.size() <= limits.diagnostics + 1, "diagnostics not bounded");
    require(parsed.status != Status::invalid || !parsed.diagnostics.empty(),
            "an invalid status line without a diagnostic");
    require(parsed.multiline || parsed.body.empty(), "a body on a single-line response");
}

void check_round_trip(const ParsedResponse& parsed) {
    if (!parsed.diagnostics.empty() || parsed.cut_off) {
        return;
    }
    std::string wire = parsed.status_line + "\r\n";
    std::size_t octets = 0;
    if (parsed.multiline) {
        for (const auto& line : parsed.body) {
            const std::string stuffed_line = mh::proto::pop3::stuffed(line) + "\r\n";
            octets += stuffed_line.size();
            wire += stuffed_line;
        }
        wire += ".\r\n";
        require(octets == parsed.body_octets, "body_octets differs from the body's wire size");
    }
    const auto again = parse_all({wire}, parsed.multiline ? 0xff : 0);
    require(again.size() == 1, "a re-serialised response parsed as several");
    require(same(again[0], parsed), "a well-formed response does not survive re-serialising");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    const std::uint8_t flags = data[0];
    static std::vector<std::string_view> segments;  // both reused across inputs
    static std::string whole;
    mh::fuzz::split_turns(mh::fuzz::as_text(data + 1, size - 1), segments);
    const auto responses = parse_all(segments, flags);
    if (segments.size() > 1) {
        mh::fuzz::joined(segments, whole);
        const auto at_once = parse_all({whole}, flags);
        require(responses.size() == at_once.size(), "segmentation changed the number of responses");
        for (std::size_t i = 0; i < responses.size(); ++i) {
            require(same(responses[i], at_once[i]), "segmentation changed a response");
        }
    }
    for (std::size_t i = 0; i < responses.size(); ++i) {
        check_bounded(responses[i]);
        check_round_trip(responses[i]);
    }
    return 0;
}
