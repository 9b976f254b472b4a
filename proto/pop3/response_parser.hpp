#pragma once
// A lenient parser of POP3 server responses, sans I/O: the status line (+OK / -ERR, RFC 1939 3),
// its RFC 2449 8 response code ("[IN-USE]"), the SASL continuation "+ " (RFC 5034 4) and, when
// the command has one, the dot-terminated multi-line body with its dot-unstuffing (RFC 1939 3).
// Untrusted input: deviations become diagnostics, never exceptions; memory is bounded by Limits.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "proto/common/bounded_line.hpp"
#include "proto/common/concat.hpp"
#include "proto/common/reused_slot.hpp"

namespace mh::proto::pop3 {

enum class Status { ok, err, continuation, invalid };
const char* to_string(Status status);  // "+OK", "-ERR", "+", "invalid"

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

    // Consumes bytes until a response is complete (then stops: take() it before putting more).
    std::size_t put(std::string_view bytes);
    void put_eof();

    bool has_response() const { return complete_; }
    bool in_response() const { return !complete_ && (in_body_ || reader_.has_partial()); }
    // Returns the response; the next one expects no body until expect_body(true) is called.
    ParsedResponse take();
    // The same into `into`, whose storage the parser keeps for the next response in exchange
    // (as ReplyParser::take(into)): no allocation per line once the strings are large enough.
    void take(ParsedResponse& into);

  private:
    void status_line(const ReceivedLine& line);
    void body_line(const ReceivedLine& line);
    // A diagnostic joined from `parts`, built only when it is kept (within Limits::diagnostics).
    template <class... Parts>
    void note(const Parts&... parts) {
        if (diagnostics_ < limits_.diagnostics) {
            assign_concat(reused_slot(current_.diagnostics, diagnostics_++), parts...);
        } else {
            ++dropped_diagnostics_;
        }
    }

    Limits limits_;
    BoundedLineReader reader_;
    // The response being read; its vectors may hold more elements than it uses (left from a
    // response taken earlier, reused): body_lines_ and diagnostics_ count the used ones.
    ParsedResponse current_;
    std::size_t body_lines_ = 0;
    std::size_t diagnostics_ = 0;
    std::size_t kept_bytes_ = 0;
    std::size_t dropped_diagnostics_ = 0;
    bool expect_body_ = false;
    bool in_body_ = false;
    bool complete_ = false;
};

}  // namespace mh::proto::pop3
