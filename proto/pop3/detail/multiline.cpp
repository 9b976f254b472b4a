#include "proto/pop3/detail/multiline.hpp"

namespace mh::proto::pop3::detail {

void append_multiline(std::string& out, std::string_view text,
                      std::optional<std::size_t> body_lines) {
    bool in_headers = true;
    std::size_t body_lines_sent = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
        if (!in_headers && body_lines && body_lines_sent == *body_lines) {
            break;
        }
        const auto eol = text.find('\n', pos);
        const auto end = eol == std::string_view::npos ? text.size() : eol + 1;
        const auto line = text.substr(pos, end - pos);
        if (line.front() == '.') {
            out += '.';
        }
        out += line;
        if (eol == std::string_view::npos) {
            out += "\r\n";
        }
        if (in_headers) {
            in_headers = line != "\r\n" && line != "\n";
        } else {
            ++body_lines_sent;
        }
        pos = end;
    }
    out += ".\r\n";
}

}  // namespace mh::proto::pop3::detail
