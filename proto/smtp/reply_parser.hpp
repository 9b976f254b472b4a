#pragma once
// A lenient parser of SMTP replies as a server sends them (RFC 5321 4.2), sans I/O.
// Untrusted input: whatever arrives yields a reply plus diagnostics naming each deviation from
// the grammar ("line 2 of the reply lacks the code-hyphen continuation"), never an exception,
// and memory stays bounded by Limits however long a line or a reply gets.

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "proto/common/bounded_line.hpp"
#include "proto/common/string_list.hpp"
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

// The same, in place in the parser's storage: valid until its next put_eof(), next(), take() or
// reset() (put() consumes nothing while a reply is complete).
struct ReplyView {
    int code = 0;
    std::string_view enhanced;
    std::span<const std::string_view> lines;
    std::span<const std::string_view> raw_lines;
    std::span<const std::string_view> diagnostics;
    bool cut_off = false;
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

    // Consumes bytes until a reply is complete (then stops: take it before putting more).
    // Returns the number of bytes consumed.
    std::size_t put(std::string_view bytes);
    // The connection ended: a partly received reply is completed and marked cut off.
    void put_eof();

    bool has_reply() const { return complete_; }
    // Bytes of an unfinished reply are buffered (a reply has started but not ended).
    bool in_reply() const { return !complete_ && (!raw_lines_.empty() || reader_.has_partial()); }

    // The complete reply in place (only when has_reply()); next() starts the following one.
    // The parser's storage only grows, so a parser that lives long allocates nothing per reply
    // once it has seen large ones (what the fuzz targets do, one parser per stream).
    ReplyView view() const;
    void next();
    // The complete reply copied out, then next(); storage past StringList::kept_between_copies
    // is given back (a parser that lives for a connection).
    ParsedReply take();
    // The same into `into`, whose vectors and strings are reused.
    void take(ParsedReply& into);
    // Forgets everything, a partly received reply included: a new connection.
    void reset();

  private:
    void finish_line(const ReceivedLine& received);
    void finish_reply(bool cut_off);
    // next(), keeping at most `kept_bytes` of each list's storage.
    void start_next(std::size_t kept_bytes);
    template <class... Parts>
    void note(const Parts&... parts) {
        diagnostics_.push_back(parts...);
    }
    // "line N of the reply" followed by `what`.
    template <class... Parts>
    void note_line(std::size_t number, const Parts&... what);

    Limits limits_;
    BoundedLineReader reader_;
    // The reply being read: raw_lines_.size() is the number of lines so far.
    int code_ = 0;
    std::string enhanced_;
    StringList lines_;
    StringList raw_lines_;
    StringList diagnostics_;
    bool cut_off_ = false;
    bool complete_ = false;
};

// Splits "2.1.0 text" into the enhanced code and the rest; empty code when the text does not
// start with class.subject.detail (RFC 3463 2) followed by a space or the end.
std::string_view leading_enhanced_code(std::string_view text);

}  // namespace mh::proto::smtp
