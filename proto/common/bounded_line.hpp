#pragma once
// Splits untrusted bytes into LF-terminated lines while keeping at most `stored_limit` bytes of
// a line: the full length is still counted, so callers can report how long an endless line was
// without ever holding it. Shared by the lenient reply parsers (SMTP replies, POP3 responses).

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>

namespace mh::proto {

struct ReceivedLine {
    std::string text;           // without CRLF (or the bare LF); at most the stored limit
    std::size_t length = 0;     // full length without the line end, dropped bytes included
    bool bare_lf = false;       // ended by LF alone
    bool unterminated = false;  // taken at end of input, no line end seen

    bool truncated() const { return length > text.size(); }
};

class BoundedLineReader {
  public:
    explicit BoundedLineReader(std::size_t stored_limit) : limit_(stored_limit) {}

    // Consumes bytes up to and including the next LF; returns how many were consumed.
    // One memchr and one append per call, not a loop per byte: the session fuzz targets parse
    // every reply the machines write with this.
    std::size_t put(std::string_view bytes) {
        if (complete_) {
            return 0;
        }
        const std::size_t lf = bytes.find('\n');
        const std::size_t body = lf == std::string_view::npos ? bytes.size() : lf;
        if (body > 0) {
            last_was_cr_ = bytes[body - 1] == '\r';
            line_.length += body;
            line_.text.append(bytes.data(), std::min(body, limit_ - line_.text.size()));
        }
        if (lf == std::string_view::npos) {
            return bytes.size();
        }
        complete_ = true;
        if (last_was_cr_) {
            if (line_.text.size() == line_.length) {
                line_.text.pop_back();
            }
            --line_.length;
        } else {
            line_.bare_lf = true;
        }
        return lf + 1;
    }

    bool has_line() const { return complete_; }
    bool has_partial() const { return !complete_ && line_.length > 0; }

    // The finished line, or (at end of input) the partial one marked unterminated, in place:
    // valid until the next put(), next() or take(). Parsers copy what they keep and call next(),
    // so the reader's buffer keeps its capacity from line to line (no allocation per line).
    const ReceivedLine& line() {
        line_.unterminated = !complete_;
        return line_;
    }
    // Starts the next line, keeping the buffer.
    void next() {
        line_.text.clear();
        line_.length = 0;
        line_.bare_lf = false;
        line_.unterminated = false;
        complete_ = false;
        last_was_cr_ = false;
    }
    // The same as line(), moved out (the next line starts in a new buffer).
    ReceivedLine take() {
        line();
        ReceivedLine out = std::move(line_);
        next();
        return out;
    }

  private:
    std::size_t limit_;
    ReceivedLine line_;
    bool complete_ = false;
    bool last_was_cr_ = false;
};

}  // namespace mh::proto
