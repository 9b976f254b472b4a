#pragma once
// Splits untrusted bytes into LF-terminated lines while keeping at most `stored_limit` bytes of
// a line: the full length is still counted, so callers can report how long an endless line was
// without ever holding it. Shared by the lenient reply parsers (SMTP replies, POP3 responses).

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "proto/common/string_list.hpp"

namespace mh::proto {

struct ReceivedLine {
    // What is known of the line besides its text, as bits of one octet: the fuzz builds check
    // every `bool` they load with one more traced comparison, and a line's usual case (CRLF, in
    // place) is then one test of `flags`.
    enum Flag : std::uint8_t {
        bare_lf = 1,       // ended by LF alone
        unterminated = 2,  // taken at end of input, no line end seen
        copied = 4,        // gathered from several reads: `text` is in the reader's buffer
    };

    std::string_view text;   // without CRLF (or the bare LF); at most the stored limit
    std::size_t length = 0;  // full length without the line end, dropped bytes included
    std::uint8_t flags = 0;  // Flag bits

    bool truncated() const { return length > text.size(); }
};

// `text` (the line's or a part of it) appended to `list`: in place when the line is, copied when
// it is in the reader's buffer, which the next line reuses.
inline void keep_text(StringList& list, const ReceivedLine& line, std::string_view text) {
    if ((line.flags & ReceivedLine::copied) == 0) {
        list.push_back_in_place(text);
    } else {
        list.push_back(text);
    }
}

class BoundedLineReader {
  public:
    explicit BoundedLineReader(std::size_t stored_limit) : limit_(stored_limit) {}

    // Reads a line from the front of `bytes` (one memchr, not a loop per octet) and removes what
    // it consumed: true when the line ended (line() holds it), false when `bytes` ran out first
    // (what there was is kept for the next call). A line that starts and ends within one call
    // is handed out in place, inside `bytes` (no copy: the usual case); one that spans several
    // is gathered in the reader's buffer, which keeps its capacity from line to line.
    bool read(std::string_view& bytes) {
        // memchr's pointer, not find()'s index: pointer comparisons are not traced in the fuzz
        // builds, the index's comparisons with npos and 0 would be.
        const char* const begin = bytes.data();
        const auto* const lf = static_cast<const char*>(std::memchr(begin, '\n', bytes.size()));
        if (lf == nullptr) {
            gather(bytes);
            bytes = {};
            return false;
        }
        const auto length = static_cast<std::size_t>(lf - begin);
        if (gathered_ == 0) {
            const std::size_t cr = lf != begin && lf[-1] == '\r' ? 1 : 0;
            line_.length = length - cr;
            line_.text = std::string_view(begin, std::min(line_.length, limit_));
            line_.flags = cr == 0 ? ReceivedLine::bare_lf : 0;
        } else {
            gather(std::string_view(begin, length));  // not substr(): an out-of-line call
            finish_gathered(ReceivedLine::bare_lf);
        }
        bytes.remove_prefix(length + 1);
        return true;
    }
    // End of input: true when a line had started (line() holds it, marked unterminated).
    bool read_rest() {
        if (gathered_ == 0) {
            return false;
        }
        finish_gathered(ReceivedLine::unterminated);
        return true;
    }

    bool has_partial() const { return gathered_ > 0; }

    // The line read last: valid until the next read(), no longer than the bytes of the read()
    // that completed it when in place (parsers copy what they keep before their put() returns).
    const ReceivedLine& line() const { return line_; }

    // Forgets a partly read line: a new connection.
    void reset() {
        buffer_.clear();
        gathered_ = 0;
    }

  private:
    // Part of a line that goes on past `piece`: kept up to the limit, counted in full.
    void gather(std::string_view piece) {
        if (gathered_ == 0) {
            buffer_.clear();
            ends_with_cr_ = 0;
        }
        if (!piece.empty()) {
            buffer_.append(piece.data(), std::min(piece.size(), limit_ - buffer_.size()));
            ends_with_cr_ = piece.back() == '\r' ? 1 : 0;
            gathered_ += piece.size();
        }
    }
    // The gathered line ends (LF or end of input): a CR just before an LF is its line end.
    void finish_gathered(ReceivedLine::Flag without_cr) {
        line_.text = buffer_;
        line_.length = gathered_;
        line_.flags = ReceivedLine::copied;
        if (ends_with_cr_ != 0 && without_cr == ReceivedLine::bare_lf) {
            if (line_.text.size() == line_.length) {
                line_.text.remove_suffix(1);
            }
            --line_.length;
        } else {
            line_.flags |= without_cr;
        }
        gathered_ = 0;
    }

    std::size_t limit_;
    std::string buffer_;        // a line that spans several read() calls, up to the limit
    std::size_t gathered_ = 0;  // octets of that line so far, dropped ones included
    std::uint8_t ends_with_cr_ = 0;
    ReceivedLine line_;
};

}  // namespace mh::proto
