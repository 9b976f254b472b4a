#pragma once
// An SMTP reply as a value (RFC 5321 4.2): handlers return it, only the connection loop writes it.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mh::proto::smtp {

struct Reply {
    int code = 0;                    // three digits, 200..599
    std::string enhanced;            // RFC 3463 "x.y.z", empty when none
    std::vector<std::string> lines;  // text of each line, without code, separator or CRLF

    // 4yz replies are transient (RFC 5321 4.2.1): the client may retry.
    bool temporary() const { return code >= 400 && code < 500; }
    bool positive() const { return code >= 200 && code < 400; }

    // Wire form: "250-first\r\n250 last\r\n"; the enhanced code (when set and
    // `with_enhanced`) starts the text of every line, as RFC 2034 section 4 requires.
    std::string wire(bool with_enhanced = true) const;
    // The same appended to `out` (a caller reusing one buffer).
    void append_wire(std::string& out, bool with_enhanced = true) const;
};

Reply make_reply(int code, std::string_view enhanced, std::string_view text);

// Starts one line of a reply's wire form in `out`: "250-" ("250 " when `last`), then the
// enhanced code and a space when there is one; the caller appends the text and CRLF. The session
// machine writes every reply this way, into one reused buffer, without temporary strings.
void begin_reply_line(std::string& out, int code, bool last, std::string_view enhanced);

// The wire form of a reply given by parts, appended to `out` (Reply::append_wire; a parser's
// in-place view of a reply, whose lines are string views, uses it too). No lines: one empty line.
template <class Lines>
void append_reply_wire(std::string& out, int code, std::string_view enhanced, const Lines& lines) {
    const std::size_t count = lines.empty() ? 1 : lines.size();
    for (std::size_t i = 0; i < count; ++i) {
        begin_reply_line(out, code, i + 1 == count, enhanced);
        if (!lines.empty()) {
            out += lines[i];
        }
        out += "\r\n";
    }
}

}  // namespace mh::proto::smtp
