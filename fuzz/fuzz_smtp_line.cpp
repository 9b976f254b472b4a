// The SMTP line framer (proto/common/line_framer.hpp) on the client's stream (0xFF = segment
// boundary); fuzz_smtp_command parses what it hands out, one line per input.
// Invariants: the same lines whatever the segmentation; no line kept beyond the limit; a line's
// flags say what its text holds (a bare LF, a bare CR, a NUL) and no CRLF stays inside a line.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/support/fuzz_input.hpp"
#include "proto/common/line_framer.hpp"

namespace {

using mh::fuzz::require;

constexpr std::size_t line_limit = 512;  // RFC 5321 4.5.3.1.4, the session's command line

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

bool holds(std::string_view text, char c) {
    return text.find(c) != std::string_view::npos;
}

void check_line(const mh::proto::FramedLineView& line) {
    if (line.too_long) {
        require(line.text.empty(), "an over-long line kept its text");
        return;
    }
    require(line.text.size() + 1 <= line_limit, "a framed line over the limit");
    require(line.bare_lf == holds(line.text, '\n'), "the bare_lf flag disagrees with the line");
    require(line.bare_cr == holds(line.text, '\r'), "the bare_cr flag disagrees with the line");
    require(line.nul == holds(line.text, '\0'), "the nul flag disagrees with the line");
    require(line.text.find("\r\n") == std::string_view::npos, "a CRLF inside a framed line");
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
        check_line(line);
    }
    require(!segmented || !at_once.next(unsplit), "segmentation changed the framed lines");
    return 0;
}
