#include "proto/smtp/reply.hpp"

#include <charconv>
#include <iterator>

namespace mh::proto::smtp {

void begin_reply_line(std::string& out, int code, bool last, std::string_view enhanced) {
    char digits[16];
    const auto end = std::to_chars(std::begin(digits), std::end(digits), code).ptr;
    out.append(digits, end);
    out += last ? ' ' : '-';
    if (!enhanced.empty()) {
        out += enhanced;
        out += ' ';
    }
}

std::string Reply::wire(bool with_enhanced) const {
    std::string out;
    append_wire(out, with_enhanced);
    return out;
}

void Reply::append_wire(std::string& out, bool with_enhanced) const {
    append_reply_wire(out, code, with_enhanced ? std::string_view(enhanced) : std::string_view(),
                      lines);
}

Reply make_reply(int code, std::string_view enhanced, std::string_view text) {
    return Reply{code, std::string(enhanced), {std::string(text)}};
}

}  // namespace mh::proto::smtp
