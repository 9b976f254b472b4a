#pragma once
// An SMTP reply as a value (RFC 5321 4.2): handlers return it, only the connection loop writes it.

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
};

Reply make_reply(int code, std::string_view enhanced, std::string_view text);

}  // namespace mh::proto::smtp
