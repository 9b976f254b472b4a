#pragma once
// Message content framing (RFC 5321 4.1.1.4, 4.5.2; RFC 3030 for BDAT), streaming and bounded.
//
// DATA ends only with CRLF "." CRLF, where the dot line follows a CRLF (the start of the data
// counts as following one). A bare CR, a bare LF or a NUL is never part of an end-of-data
// sequence, which is what defeats SMTP smuggling: "\n.\n", "\r\n.\r\r\n" and the like are
// content, so commands pipelined after them stay content too.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace mh::proto::smtp {

// Octets in content that RFC 5321 2.3.8 forbids outside line ends (and NUL, which no 7bit or
// 8bit body may carry, RFC 6152 3 / RFC 2045 2.7-2.8).
struct ContentFlags {
    bool bare_cr = false;
    bool bare_lf = false;
    bool nul = false;
    bool long_line = false;  // a line longer than the text-line limit, CRLF included

    bool line_ends_clean() const { return !bare_cr && !bare_lf && !nul; }
};

// Keeps message content within a size limit and tells what is in it; shared by DATA and BDAT.
class ContentSink {
  public:
    // `storage`: a buffer to keep the content in, cleared first and its capacity kept (such as
    // one an earlier take() returned, so that a reader per message need not allocate).
    ContentSink(std::size_t max_size, std::size_t text_line_limit, std::string storage = {});

    void append(std::string_view bytes);
    // Room for `octets` of content (at most the size limit) up front: no regrowth while a
    // caller that knows the size appends.
    void reserve(std::size_t octets) { content_.reserve(octets < max_size_ ? octets : max_size_); }
    bool overflowed() const { return total_ > max_size_; }
    // What the content kept so far holds, judged by a scan of it when asked (once per message,
    // not on every append). A CR at the very end is bare: no LF can follow it any more (BDAT
    // content). An overflowed sink keeps nothing, so it reports nothing: refuse its message first.
    ContentFlags flags() const;
    // Octets offered, including those dropped beyond the limit.
    std::uint64_t total() const { return total_; }
    // The content, leaving the sink empty: read flags() first.
    std::string take();

  private:
    std::size_t max_size_;
    std::size_t text_line_limit_;
    std::string content_;
    std::uint64_t total_ = 0;
};

// Reads DATA content after the 354 reply: unstuffs dots and stops at end-of-data.
class DataReader {
  public:
    DataReader(std::size_t max_size, std::size_t text_line_limit, std::string storage = {});

    // Consumes bytes up to and including the end-of-data line (or all of them before it);
    // returns how many were consumed. Bytes after the end belong to the next command.
    std::size_t put(std::string_view bytes);
    bool done() const { return state_ == State::done; }

    const ContentSink& content() const { return sink_; }
    // For a caller that reads the flags and then takes the content (take() empties the sink).
    ContentSink& content() { return sink_; }
    void reserve(std::size_t octets) { sink_.reserve(octets); }
    // The unstuffed content, ending in the CRLF before the dot line.
    std::string take() { return sink_.take(); }

  private:
    std::size_t copy_run(std::string_view bytes, std::size_t from);

    enum class State {
        content,  // where a line starts is told by the two octets before it (`last_two_`)
        dot,      // a "." at line start: stuffing, or the start of the end line
        dot_cr,   // ".\r" at line start: one LF away from the end
        done,
    };
    State state_ = State::content;
    // In `content`: the last two octets read, the first in the high byte; CRLF at the start, which
    // counts as following one. A dot after them starts a line when they are CRLF: one comparison
    // of two octets, where a flag for CR and a state for line start took several.
    std::uint16_t last_two_;
    ContentSink sink_;
};

// Reads one BDAT chunk of exactly `size` octets (RFC 3030 2): no stuffing, no end marker.
class ChunkReader {
  public:
    explicit ChunkReader(std::uint64_t size) : remaining_(size) {}

    // Consumes at most the octets still owed to the chunk, appending them to `sink`.
    std::size_t put(std::string_view bytes, ContentSink& sink);
    // Consumes at most the octets still owed, dropping them (a chunk the session refused).
    std::size_t skip(std::string_view bytes);
    bool done() const { return remaining_ == 0; }
    std::uint64_t remaining() const { return remaining_; }

  private:
    std::uint64_t remaining_;
};

// Client side: the DATA wire form of `content`: a "." doubled at every line start (4.5.2),
// CRLF added when the content does not end in one, then the end-of-data line ".\r\n".
std::string frame_data(std::string_view content);
// The same, appended to `out` (a caller framing many messages keeps one buffer).
void frame_data(std::string_view content, std::string& out);

}  // namespace mh::proto::smtp
