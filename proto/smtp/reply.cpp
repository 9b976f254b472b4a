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
    const std::size_t count = lines.empty() ? 1 : lines.size();
    for (std::size_t i = 0; i < count; ++i) {
        begin_reply_line(out, code, i + 1 == count,
                         with_enhanced ? std::string_view(enhanced) : std::string_view());
        if (!lines.empty()) {
            out += lines[i];
        }
        out += "\r\n";
    }
}

Reply make_reply(int code, std::string_view enhanced, std::string_view text) {
    return Reply{code, std::string(enhanced), {std::string(text)}};
}

}  // namespace mh::proto::smtp
