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
    std::string_view text;      // without CRLF (or the bare LF); at most the stored limit
    std::size_t length = 0;     // full length without the line end, dropped bytes included
    bool bare_lf = false;       // ended by LF alone
    bool unterminated = false;  // taken at end of input, no line end seen

    bool truncated() const { return length > text.size(); }
};

class BoundedLineReader {
  public:
    explicit BoundedLineReader(std::size_t stored_limit) : limit_(stored_limit) {}

    // Consumes bytes up to and including the next LF; returns how many were consumed.
    // One memchr per call, not a loop per byte. A line that starts and ends within one put() is
    // handed out in place, inside `bytes` (no copy: the usual case); one that spans several is
    // gathered in the reader's buffer, which keeps its capacity from line to line.
    std::size_t put(std::string_view bytes) {
        if (complete_) {
            return 0;
        }
        const std::size_t lf = bytes.find('\n');
        const std::size_t body = lf == std::string_view::npos ? bytes.size() : lf;
        if (body > 0) {
            last_was_cr_ = bytes[body - 1] == '\r';
        }
        if (lf != std::string_view::npos && line_.length == 0) {
            line_.text = std::string_view(bytes.data(), std::min(body, limit_));
        } else if (body > 0) {
            buffer_.append(bytes.data(), std::min(body, limit_ - buffer_.size()));
            line_.text = buffer_;
        }
        line_.length += body;
        if (lf == std::string_view::npos) {
            return bytes.size();
        }
        complete_ = true;
        if (last_was_cr_) {
            if (line_.text.size() == line_.length) {
                line_.text.remove_suffix(1);
            }
            --line_.length;
        } else {
            line_.bare_lf = true;
        }
        return lf + 1;
    }

    bool has_line() const { return complete_; }
    bool has_partial() const { return !complete_ && line_.length > 0; }

    // The finished line, or (at end of input) the partial one marked unterminated: valid until
    // the next put() or next(), and no longer than the bytes of the put() that completed it
    // (parsers copy what they keep before they call next()).
    const ReceivedLine& line() {
        line_.unterminated = !complete_;
        return line_;
    }
    // Starts the next line, keeping the buffer.
    void next() {
        buffer_.clear();
        line_ = ReceivedLine{};
        complete_ = false;
        last_was_cr_ = false;
    }

  private:
    std::size_t limit_;
    std::string buffer_;  // a line that spans several put() calls, up to the limit
    ReceivedLine line_;
    bool complete_ = false;
    bool last_was_cr_ = false;
};

}  // namespace mh::proto
