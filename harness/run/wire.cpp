#include "harness/run/wire.hpp"

#include "harness/transport/transcript.hpp"

namespace mh::harness::run {

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

}  // namespace

std::string decode_escapes(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '\\' || i + 1 == text.size()) {
            out += text[i];
            continue;
        }
        const char next = text[i + 1];
        if (next == 'r' || next == 'n' || next == 't' || next == '0' || next == '\\') {
            out += next == 'r'   ? '\r'
                   : next == 'n' ? '\n'
                   : next == 't' ? '\t'
                   : next == '0' ? '\0'
                                 : '\\';
            ++i;
        } else if (next == 'x' && i + 3 < text.size() && hex_value(text[i + 2]) >= 0 &&
                   hex_value(text[i + 3]) >= 0) {
            out += static_cast<char>(hex_value(text[i + 2]) * 16 + hex_value(text[i + 3]));
            i += 3;
        } else {
            out += '\\';
        }
    }
    return out;
}

std::string quote_raw(std::string_view bytes) {
    std::string out = "'";
    for (char c : transport::escape_bytes(bytes, transport::EightBit::escape)) {
        out += c;
        if (c == '\'') {
            out += c;  // YAML's '' inside a single-quoted scalar
        }
    }
    return out + "'";
}

std::string data_payload(std::string_view text) {
    std::string out;
    out.reserve(text.size() + text.size() / 40 + 8);
    bool line_start = true;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '\r' || c == '\n') {
            if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
                ++i;
            }
            out += "\r\n";
            line_start = true;
            continue;
        }
        if (line_start && c == '.') {
            out += '.';
        }
        out += c;
        line_start = false;
    }
    if (!line_start) {
        out += "\r\n";
    }
    out += ".\r\n";
    return out;
}

std::string generated_payload(std::size_t bytes, std::size_t line_length) {
    std::string out;
    out.reserve(bytes + 3);
    std::size_t column = 0;
    while (out.size() < bytes) {
        const std::size_t left = bytes - out.size();
        if (column == line_length || left <= 2) {
            if (left == 1) {
                out += 'x';  // too little room for a CRLF: pad the last line instead
                break;
            }
            out += "\r\n";
            column = 0;
            continue;
        }
        out += static_cast<char>('a' + (out.size() % 26));
        ++column;
    }
    if (!out.empty() && !out.ends_with("\r\n")) {
        out += "\r\n";  // the terminator needs a line of its own
    }
    out += ".\r\n";
    return out;
}

}  // namespace mh::harness::run
