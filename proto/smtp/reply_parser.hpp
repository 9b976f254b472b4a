#pragma once
// A lenient parser of SMTP replies as a server sends them (RFC 5321 4.2), sans I/O.
// Untrusted input: whatever arrives yields a reply plus diagnostics naming each deviation from
// the grammar ("line 2 of the reply lacks the code-hyphen continuation"), never an exception,
// and memory stays bounded by Limits however long a line or a reply gets. The diagnostics are
// records (ReplyDiagnostic and its numbers) until they are read as text (take(),
// diagnostic_texts()).

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "proto/common/bounded_line.hpp"
#include "proto/common/diagnostic.hpp"
#include "proto/common/string_list.hpp"
#include "proto/smtp/reply.hpp"

namespace mh::proto::smtp {

// What a reply's diagnostic records (proto/common/diagnostic.hpp); the text of each is in
// reply_parser.cpp, its numbers in the order given.
enum class ReplyDiagnostic : std::uint8_t {
    closed_mid_reply,      // lines so far
    line_too_long,         // line, octets, limit
    line_too_long_cut,     // line, octets, limit, octets kept
    bare_lf,               // line
    unterminated,          // line
    no_code,               // line
    lost_continuation,     // line, the reply's code
    code_outside_grammar,  // the reply's code
    code_differs,          // line, its code, the reply's code
    no_separator,          // line
    cut_off,               // the limit of lines
    enhanced_class,        // the reply's code (the enhanced code is the reply's)
    enhanced_missing,      // line
};

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
    std::span<const Diagnostic> diagnostics;  // ReplyDiagnostic records
    bool cut_off = false;
};

// The English text of each of `reply`'s diagnostics (what take() gives), into `out`, whose
// strings are reused.
void diagnostic_texts(const ReplyView& reply, std::vector<std::string>& out);
std::vector<std::string> diagnostic_texts(const ReplyView& reply);

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
    // After next(): each list's storage past `kept_bytes` is given back.
    void give_back_storage(std::size_t kept_bytes);
    template <class... Numbers>
    void note(ReplyDiagnostic kind, Numbers... numbers) {
        diagnostics_.push_back(kind, numbers...);
    }

    Limits limits_;
    BoundedLineReader reader_;
    // The reply being read: raw_lines_.size() is the number of lines so far. A line's text is
    // the rest of its raw line from an offset (0, 3 or 4: after "NNN-" or "NNN " when there is
    // one), made views in line_views_ once the reply is complete.
    int code_ = 0;
    std::string_view enhanced_;  // a part of raw line 1, once the reply is complete
    std::vector<std::uint8_t> text_offsets_;
    // Only grows (a resize per reply would zero the new views first: an ASan memset call in the
    // fuzz builds); the first text_offsets_.size() are the reply's.
    std::vector<std::string_view> line_views_;
    StringList raw_lines_;
    DiagnosticList diagnostics_;
    bool cut_off_ = false;
    bool complete_ = false;
};

// Splits "2.1.0 text" into the enhanced code and the rest; empty code when the text does not
// start with class.subject.detail (RFC 3463 2) followed by a space or the end.
std::string_view leading_enhanced_code(std::string_view text);

}  // namespace mh::proto::smtp
