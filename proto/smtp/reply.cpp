#include "proto/smtp/reply.hpp"

namespace mh::proto::smtp {

std::string Reply::wire(bool with_enhanced) const {
    std::string out;
    const std::string code_text = std::to_string(code);
    const bool prefix = with_enhanced && !enhanced.empty();
    const std::size_t count = lines.empty() ? 1 : lines.size();
    for (std::size_t i = 0; i < count; ++i) {
        out += code_text;
        out += (i + 1 < count) ? '-' : ' ';
        if (prefix) {
            out += enhanced;
            out += ' ';
        }
        if (!lines.empty()) {
            out += lines[i];
        }
        out += "\r\n";
    }
    return out;
}

Reply make_reply(int code, std::string_view enhanced, std::string_view text) {
    return Reply{code, std::string(enhanced), {std::string(text)}};
}

}  // namespace mh::proto::smtp
