#pragma once
// A lenient parser of POP3 server responses, sans I/O: the status line (+OK / -ERR, RFC 1939 3),
// its RFC 2449 8 response code ("[IN-USE]"), the SASL continuation "+ " (RFC 5034 4) and, when
// the command has one, the dot-terminated multi-line body with its dot-unstuffing (RFC 1939 3).
// Untrusted input: deviations become diagnostics, never exceptions; memory is bounded by Limits.
// The diagnostics are records (ResponseDiagnostic and its numbers) until they are read as text
// (take(), diagnostic_texts()).

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "proto/common/bounded_line.hpp"
#include "proto/common/diagnostic.hpp"
#include "proto/common/string_list.hpp"

namespace mh::proto::pop3 {

enum class Status { ok, err, continuation, invalid };
const char* to_string(Status status);  // "+OK", "-ERR", "+", "invalid"

// What a response's diagnostic records (proto/common/diagnostic.hpp); the text of each is in
// response_parser.cpp, its numbers in the order given.
enum class ResponseDiagnostic : std::uint8_t {
    closed_in_body,   // body lines so far
    status_too_long,  // octets, limit
    status_bare_lf,
    status_unterminated,
    no_status,
    no_space_after_status,  // (the status is the response's)
    code_unclosed,
    body_bare_lf,      // body line
    body_line_cut,     // body line, octets, octets kept
    not_stuffed,       // body line
    body_over_limit,   // the limit of body bytes
    more_diagnostics,  // how many more were not kept (Limits::diagnostics)
};

struct ParsedResponse {
    Status status = Status::invalid;
    std::string status_line;  // as received, without the line end
    std::string text;         // after the status indicator and its space, response code included
    std::string resp_code;    // RFC 2449 8: "IN-USE" from "+OK [IN-USE] ..."; empty when none
    bool multiline = false;   // a body followed the status line
    std::vector<std::string> body;  // lines, dot-unstuffed, without the terminating "."
    std::size_t body_octets = 0;    // wire size of the body lines (CRLF counted), kept or not
    std::vector<std::string> diagnostics;
    bool cut_off = false;  // the connection closed before the response (or its body) ended
};

// The same in place in the parser's storage: valid until its next put_eof(), next(), take() or
// reset() (put() consumes nothing while a response is complete).
struct ResponseView {
    Status status = Status::invalid;
    std::string_view status_line;
    std::string_view text;
    std::string_view resp_code;
    bool multiline = false;
    std::span<const std::string_view> body;
    std::size_t body_octets = 0;
    std::span<const Diagnostic> diagnostics;  // ResponseDiagnostic records
    bool cut_off = false;
};

// The English text of each of `response`'s diagnostics (what take() gives), into `out`, whose
// strings are reused.
void diagnostic_texts(const ResponseView& response, std::vector<std::string>& out);
std::vector<std::string> diagnostic_texts(const ResponseView& response);

// Wire-form of the body lines: every line starting with "." stuffed again (for transcripts).
std::string stuffed(std::string_view body_line);
// The same appended to `out`.
void append_stuffed(std::string& out, std::string_view body_line);

class ResponseParser {
  public:
    struct Limits {
        std::size_t grammar_line = 512;      // RFC 1939 3 / RFC 2449 4: longer status lines noted
        std::size_t stored_line = 16384;     // bytes of a line kept; the rest is dropped
        std::size_t body_bytes = 64u << 20;  // body bytes kept; the rest is counted, not kept
        std::size_t diagnostics = 20;        // more are summarised in one line
    };

    ResponseParser() : ResponseParser(Limits{}) {}
    explicit ResponseParser(Limits limits) : limits_(limits), reader_(limits.stored_line) {}

    // Whether the next response carries a body when its status is +OK (RETR, TOP, CAPA, LIST or
    // UIDL without argument, ...): the command decides it, not the response.
    void expect_body(bool body) { expect_body_ = body; }

    // Consumes bytes until a response is complete (then stops: take it before putting more).
    std::size_t put(std::string_view bytes);
    void put_eof();

    bool has_response() const { return stage_ == Stage::complete; }
    bool in_response() const {
        return stage_ == Stage::body || (stage_ == Stage::status_line && reader_.has_partial());
    }

    // The complete response in place (only when has_response()); next() starts the following
    // one and leaves expect_body() as it is (it may be set for the next response while this one
    // is looked at). The storage only grows, as ReplyParser's.
    ResponseView view() const;
    void next();
    // The complete response copied out, then next(); the next response expects no body until
    // expect_body(true) is called. Storage past StringList::kept_between_copies is given back
    // (a parser that lives for a connection).
    ParsedResponse take();
    // The same into `into`, whose vectors and strings are reused.
    void take(ParsedResponse& into);
    // Forgets everything, a partly received response and expect_body() included.
    void reset();

  private:
    void take_line(const ReceivedLine& line);  // the status line or a body line
    void status_line(const ReceivedLine& line);
    void body_line(const ReceivedLine& line);
    void finish();
    // A diagnostic, kept when within Limits::diagnostics, counted otherwise.
    template <class... Numbers>
    void note(ResponseDiagnostic kind, Numbers... numbers) {
        if (diagnostics_.size() < limits_.diagnostics) {
            diagnostics_.push_back(kind, numbers...);
        } else {
            ++dropped_diagnostics_;
        }
    }

    // Where the response being read stands: one value, not two `bool`s (the fuzz builds check
    // every `bool` they load with one more traced comparison).
    enum class Stage : std::uint8_t { status_line, body, complete };

    Limits limits_;
    BoundedLineReader reader_;
    // The response being read; text and response code are parts of the status line.
    Status status_ = Status::invalid;
    std::string status_line_;
    std::size_t text_offset_ = 0;
    std::size_t resp_code_offset_ = 0;
    std::size_t resp_code_size_ = 0;
    bool multiline_ = false;
    StringList body_;
    std::size_t body_octets_ = 0;
    DiagnosticList diagnostics_;
    bool cut_off_ = false;
    std::size_t kept_bytes_ = 0;
    std::size_t dropped_diagnostics_ = 0;
    bool expect_body_ = false;
    Stage stage_ = Stage::status_line;
};

}  // namespace mh::proto::pop3
