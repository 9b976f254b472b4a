// The command side of the SMTP core: proto/common/line_framer.hpp splits the client's stream
// (0xFF = segment boundary) and proto/smtp/command.hpp parses each line.
// Invariants: the same lines whatever the segmentation; no line kept beyond the limit; a parsed
// command names the verb its line starts with; its path and parameters, written out again,
// parse to the same values; what parses without SMTPUTF8 parses the same with it.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/support/fuzz_input.hpp"
#include "fuzz/support/smtp_grammar.hpp"
#include "proto/common/line_framer.hpp"
#include "proto/smtp/command.hpp"

namespace {

using mh::fuzz::require;
namespace smtp = mh::proto::smtp;

constexpr std::size_t line_limit = 512;

std::vector<mh::proto::FramedLine> frame(const std::vector<std::string_view>& segments) {
    mh::proto::LineFramer framer(line_limit);
    std::vector<mh::proto::FramedLine> lines;
    for (std::string_view segment : segments) {
        while (!segment.empty()) {
            const std::size_t used = framer.put(segment);
            require(used > 0 && used <= segment.size(), "the framer made no progress");
            segment.remove_prefix(used);
            if (framer.has_line()) {
                lines.push_back(framer.take());
            }
        }
    }
    require(!framer.has_line(), "a line left in the framer");
    return lines;
}

bool same(const mh::proto::FramedLine& a, const mh::proto::FramedLine& b) {
    return a.text == b.text && a.too_long == b.too_long && a.bare_lf == b.bare_lf &&
           a.bare_cr == b.bare_cr && a.nul == b.nul;
}

void check_command(std::string_view line) {
    const auto plain = smtp::parse_command(line);
    if (!plain) {
        return;
    }
    // The option reaches RCPT only (CommandParseOptions): a second parse of other verbs would
    // repeat the first one.
    if (plain->verb == smtp::Verb::rcpt) {
        const auto utf8 = smtp::parse_command(line, {.utf8_recipients = true});
        require(utf8.ok() && utf8->verb == plain->verb, "SMTPUTF8 made a valid command invalid");
    }
    const std::string_view name = smtp::verb_name(plain->verb);
    require(line.size() >= name.size() &&
                std::equal(name.begin(), name.end(), line.begin(),
                           [](char n, char c) { return n == mh::fuzz::ascii_upper(c); }),
            "a command parsed as another verb than its line names");
    if (const auto* mail = std::get_if<smtp::MailArgs>(&plain->args)) {
        mh::fuzz::check_path_round_trip(mail->path, false);
        mh::fuzz::check_params_round_trip(mail->params);
    } else if (const auto* rcpt = std::get_if<smtp::RcptArgs>(&plain->args)) {
        mh::fuzz::check_path_round_trip(rcpt->path, true);
        mh::fuzz::check_params_round_trip(rcpt->params);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static std::vector<std::string_view> segments;  // both reused across inputs
    static std::string whole;
    mh::fuzz::split_turns(mh::fuzz::as_text(data, size), segments);
    const auto lines = frame(segments);
    if (segments.size() > 1) {
        mh::fuzz::joined(segments, whole);
        const auto at_once = frame({whole});
        require(at_once.size() == lines.size() &&
                    std::equal(lines.begin(), lines.end(), at_once.begin(), same),
                "segmentation changed the framed lines");
    }
    for (const auto& line : lines) {
        require(line.too_long ? line.text.empty() : line.text.size() + 1 <= line_limit,
                "a framed line over the limit");
        if (!line.too_long) {
            check_command(line.text);
        }
    }
    return 0;
}
