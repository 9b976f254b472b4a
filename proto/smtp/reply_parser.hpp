#pragma once
// A lenient parser of SMTP replies as a server sends them (RFC 5321 4.2), sans I/O.
// Untrusted input: whatever arrives yields a reply plus diagnostics naming each deviation from
// the grammar ("line 2 of the reply lacks the code-hyphen continuation"), never an exception,
// and memory stays bounded by Limits however long a line or a reply gets.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "proto/common/bounded_line.hpp"
#include "proto/smtp/reply.hpp"

namespace mh::proto::smtp {

struct ParsedReply {
    // Code of the first line (0 when it has none); lines hold the text after "NNN-"/"NNN ",
    // with the RFC 3463 enhanced code removed from the lines that carry it.
    Reply reply;
    std::vector<std::string> raw_lines;    // as received, without the line end
    std::vector<std::string> diagnostics;  // empty when the reply is well-formed
    bool cut_off = false;                  // ended by put_eof() or by the line-count limit
};

class ReplyParser {
  public:
    struct Limits {
        std::size_t grammar_line = 512;      // RFC 5321 4.5.3.1.5: longer lines get a diagnostic
        std::size_t stored_line = 16384;     // bytes of a line kept; the rest is dropped
        std::size_t lines_per_reply = 1000;  // a reply is cut off after this many lines
    };

    ReplyParser() : ReplyParser(Limits{}) {}
    explicit ReplyParser(Limits limits) : limits_(limits), reader_(limits.stored_line) {}

    // Consumes bytes until a reply is complete (then stops: take() it before putting more).
    // Returns the number of bytes consumed.
    std::size_t put(std::string_view bytes);
    // The connection ended: a partly received reply is completed and marked cut off.
    void put_eof();

    bool has_reply() const { return complete_; }
    // Bytes of an unfinished reply are buffered (a reply has started but not ended).
    bool in_reply() const { return !complete_ && (lines_ > 0 || reader_.has_partial()); }
    ParsedReply take();
    // The same into `into`, whose storage the parser keeps for the next reply in exchange: a
    // caller that takes every reply into the same few objects makes the parser allocate nothing
    // once their vectors and strings are large enough (what the fuzz targets do).
    void take(ParsedReply& into);

  private:
    void finish_line(const ReceivedLine& received);
    void finish_reply(bool cut_off);
    template <class... Parts>
    void note(const Parts&... parts);
    // "line N of the reply" followed by `what`.
    template <class... Parts>
    void note_line(std::size_t number, const Parts&... what);

    Limits limits_;
    // The reply being read. Its vectors may hold more elements than it has lines (left from a
    // reply taken earlier, reused for their capacity): lines_ and diagnostics_ count the used
    // ones, and finish_reply() trims the rest.
    ParsedReply current_;
    std::size_t lines_ = 0;
    std::size_t diagnostics_ = 0;
    BoundedLineReader reader_;
    bool complete_ = false;
};

// Splits "2.1.0 text" into the enhanced code and the rest; empty code when the text does not
// start with class.subject.detail (RFC 3463 2) followed by a space or the end.
std::string_view leading_enhanced_code(std::string_view text);

}  // namespace mh::proto::smtp
