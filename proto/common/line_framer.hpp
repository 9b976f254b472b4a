#pragma once
// Splits a byte stream into lines for a line-oriented protocol, with the line-length limits of
// RFC 5321 4.5.3.1 (command line 512 octets, text line 1000 octets, both including CRLF).
// Only CRLF ends a line (RFC 5321 2.3.8): a bare LF or bare CR stays inside the line and is
// reported, so it can never split one command into two. Memory stays bounded by the limit: an
// over-long line is not stored, only reported when its CRLF arrives, and the stream resumes at
// the next line (so the session can answer "500 Line too long" and go on).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace mh::proto {

// A finished line in place in the framer (see LineFramer::line()).
struct FramedLineView {
    std::string_view text;  // the line without its CRLF; empty when too_long
    bool too_long = false;
    bool bare_lf = false;
    bool bare_cr = false;
    bool nul = false;
};

struct FramedLine {
    std::string text;       // the line without its CRLF; empty when too_long
    bool too_long = false;  // longer than the limit (CRLF included); content dropped
    bool bare_lf = false;   // holds an LF without CR before it (RFC 5321 2.3.8 forbids it)
    bool bare_cr = false;   // holds a CR not followed by LF
    bool nul = false;       // contains a NUL octet
};

class LineFramer {
  public:
    // `limit`: the longest line accepted, in octets including CRLF.
    explicit LineFramer(std::size_t limit);

    // Consumes bytes up to and including the next CRLF (or all of them when there is none);
    // returns how many were consumed. Stops after one complete line: take it, then re-offer.
    std::size_t put(std::string_view bytes);
    bool has_line() const { return (bits_ & complete) != 0; }
    // The finished line; only valid when has_line().
    FramedLine take();
    // The same in place, without a copy: valid until the next put(), take() or reset(), and
    // reset() then starts the next line in the same buffer (no allocation per line).
    FramedLineView line() const;

    // Octets of the current unfinished line, for "the peer closed mid-line" diagnostics.
    std::size_t pending() const { return length_; }
    std::size_t limit() const { return limit_; }
    // Drops any partial line (STARTTLS: plaintext after the command is discarded).
    void reset();

  private:
    // Takes in octets of the current line that hold no LF (or one bare LF on its own).
    void absorb(const char* begin, const char* end);
    // Notes bare CRs and NULs in octets of the line, `cr_before` telling whether a CR came
    // right before them.
    void note(const char* begin, const char* end, bool cr_before);

    std::size_t limit_;  // fixed: a line over it stays over it
    // Raw octets of the line, CR included, while within the limit (its capacity stays within
    // the largest limit set).
    std::string buffer_;
    std::size_t length_ = 0;  // raw octets seen in this line, LF excluded
    // Where the framer is and what the line holds, as bits of one byte: UBSan checks every load
    // of a bool member (a traced comparison in the fuzz build), and bits are set without a test.
    enum Bit : std::uint8_t {
        last_cr = 1,  // the last octet seen was CR
        complete = 2,
        bare_lf = 4,
        bare_cr = 8,
        nul = 16,
    };
    std::uint8_t bits_ = 0;
};

}  // namespace mh::proto
