// The SMTP line framer (proto/common/line_framer.hpp) on the client's stream (0xFF = segment
// boundary); fuzz_smtp_command parses what it hands out, one line per input.
// Checked against an independent model of RFC 5321 2.3.8 and 4.5.3.1.4 read on the whole input:
// only CRLF ends a line; a line of more than 512 octets with its CRLF is reported too long and
// keeps no text; a line's flags say whether it holds an LF, a CR or a NUL (none of which can
// then be part of a CRLF). The segmented framing has to match the model line by line, so the
// lines are the same whatever the segmentation, none is kept beyond the limit, and no CRLF stays
// inside one.
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

// The framer fed the segments of an input, handing out one line at a time in place. The framer
// is the process's (its buffer only grows, up to the limit, which libFuzzer's leak heuristic
// tolerates; storage that grows and shrinks with the inputs does not).
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
            const std::string_view segment = segments_[index_];
            while (offset_ < segment.size()) {
                const std::size_t left = segment.size() - offset_;
                const std::size_t used = framer_.put({segment.data() + offset_, left});
                require(used > 0 && used <= left, "the framer made no progress");
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

bool holds(std::string_view text, char c) {
    return text.find(c) != std::string_view::npos;
}

// The model: the whole input cut at each CRLF. Up to the first CRLF, a CR is never followed by
// LF and an LF never follows a CR, so holding one is what makes it bare.
class ModelLines {
  public:
    explicit ModelLines(std::string_view input) : rest_(input) {}

    bool next(mh::proto::FramedLineView& line) {
        const std::size_t end = mh::fuzz::find_crlf(rest_, 0);
        if (end == std::string_view::npos) {
            return false;  // an unfinished line is no line yet
        }
        const std::string_view text = rest_.substr(0, end);
        rest_.remove_prefix(end + 2);
        line.too_long = text.size() + 2 > line_limit;
        line.text = line.too_long ? std::string_view() : text;
        line.bare_lf = holds(text, '\n');
        line.bare_cr = holds(text, '\r');
        line.nul = holds(text, '\0');
        return true;
    }

  private:
    std::string_view rest_;
};

bool same(const mh::proto::FramedLineView& a, const mh::proto::FramedLineView& b) {
    return a.text == b.text && a.too_long == b.too_long && a.bare_lf == b.bare_lf &&
           a.bare_cr == b.bare_cr && a.nul == b.nul;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static std::vector<std::string_view> segments;  // all only grow: reused across inputs
    static std::string whole;
    static mh::proto::LineFramer framer(line_limit);
    const std::string_view input = mh::fuzz::as_text(data, size);
    mh::fuzz::split_turns(input, segments);
    const std::string_view unsplit = mh::fuzz::unsplit(input, segments, whole);
    LineStream framed(framer, segments);
    ModelLines model(unsplit);
    mh::proto::FramedLineView line;
    mh::proto::FramedLineView expected;
    while (framed.next(line)) {
        require(model.next(expected), "a line framed where RFC 5321 2.3.8 sees no CRLF");
        require(same(line, expected), "a framed line differs from RFC 5321 2.3.8 / 4.5.3.1.4");
    }
    require(!model.next(expected), "a CRLF-terminated line not framed");
    return 0;
}
