// The command side of the SMTP core: proto/common/line_framer.hpp splits the client's stream
// (0xFF = segment boundary) and proto/smtp/command.hpp parses each line.
// Invariants: the same lines whatever the segmentation; no line kept beyond the limit; a parsed
// command names the verb its line starts with; its path and parameters, written out again,
// parse to the same values; what parses without SMTPUTF8 parses the same with it.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
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

// One framer fed the segments of an input, handing out one line at a time in place, so that
// the segmented and the whole framing are compared in step without copying a line. Each stream
// has a framer of its own for the whole process: its buffer only grows (up to the limit), which
// libFuzzer's leak heuristic tolerates (storage that grows and shrinks with the inputs does not).
class LineStream {
  public:
    LineStream(mh::proto::LineFramer& framer, std::span<const std::string_view> segments)
        : framer_(framer), segments_(segments) {
        framer_.reset();  // the previous input may have ended in a partial line
    }

    // The next line, valid until the next call; false once the input is used up.
    bool next(mh::proto::FramedLineView& line) {
        if (framer_.has_line()) {
            framer_.reset();
        }
        for (; index_ < segments_.size(); ++index_, offset_ = 0) {
            std::string_view rest = segments_[index_].substr(offset_);
            while (!rest.empty()) {
                const std::size_t used = framer_.put(rest);
                require(used > 0 && used <= rest.size(), "the framer made no progress");
                rest.remove_prefix(used);
                offset_ += used;
                if (framer_.has_line()) {
                    line = framer_.line();
                    return true;
                }
            }
        }
        return false;
    }

  private:
    mh::proto::LineFramer& framer_;
    std::span<const std::string_view> segments_;
    std::size_t index_ = 0;
    std::size_t offset_ = 0;
};

bool same(const mh::proto::FramedLineView& a, const mh::proto::FramedLineView& b) {
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
    static std::vector<std::string_view> segments;  // all only grow: reused across inputs
    static std::string whole;
    static mh::proto::LineFramer split_framer(line_limit);
    static mh::proto::LineFramer whole_framer(line_limit);
    mh::fuzz::split_turns(mh::fuzz::as_text(data, size), segments);
    const bool segmented = segments.size() > 1;
    if (segmented) {
        mh::fuzz::joined(segments, whole);
    }
    const std::string_view whole_view = whole;
    LineStream split(split_framer, segments);
    LineStream at_once(whole_framer, std::span(&whole_view, 1));
    mh::proto::FramedLineView line;
    mh::proto::FramedLineView unsplit;
    while (split.next(line)) {
        if (segmented) {
            require(at_once.next(unsplit) && same(line, unsplit),
                    "segmentation changed the framed lines");
        }
        require(line.too_long ? line.text.empty() : line.text.size() + 1 <= line_limit,
                "a framed line over the limit");
        if (!line.too_long) {
            check_command(line.text);
        }
    }
    require(!segmented || !at_once.next(unsplit), "segmentation changed the framed lines");
    return 0;
}
