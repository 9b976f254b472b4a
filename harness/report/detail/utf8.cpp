#include "harness/report/detail/utf8.hpp"

#include <fmt/format.h>

#include <cstddef>
#include <optional>

namespace mh::harness::report::detail {

namespace {

struct Decoded {
    char32_t code_point;
    std::size_t length;
};

std::optional<Decoded> decode_one(std::string_view text, std::size_t at) {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[at + i]); };
    const unsigned lead = byte(0);
    std::size_t length = 0;
    char32_t code_point = 0;
    char32_t minimum = 0;
    if (lead < 0x80) {
        return Decoded{lead, 1};
    } else if ((lead & 0xE0U) == 0xC0U) {
        length = 2, code_point = lead & 0x1FU, minimum = 0x80;
    } else if ((lead & 0xF0U) == 0xE0U) {
        length = 3, code_point = lead & 0x0FU, minimum = 0x800;
    } else if ((lead & 0xF8U) == 0xF0U) {
        length = 4, code_point = lead & 0x07U, minimum = 0x10000;
    } else {
        return std::nullopt;
    }
    if (at + length > text.size()) {
        return std::nullopt;
    }
    for (std::size_t i = 1; i < length; ++i) {
        if ((byte(i) & 0xC0U) != 0x80U) {
            return std::nullopt;
        }
        code_point = (code_point << 6U) | (byte(i) & 0x3FU);
    }
    // Overlong forms, UTF-16 surrogates and values past U+10FFFF are not UTF-8.
    if (code_point < minimum || (code_point >= 0xD800 && code_point <= 0xDFFF) ||
        code_point > 0x10FFFF) {
        return std::nullopt;
    }
    return Decoded{code_point, length};
}

void append_hex(std::string& out, std::string_view bytes) {
    for (const char c : bytes) {
        out += fmt::format("\\x{:02X}", static_cast<unsigned char>(c));
    }
}

}  // namespace

std::string escape_bytes(std::string_view text, CodePointFilter keep) {
    std::string out;
    out.reserve(text.size());
    std::size_t at = 0;
    while (at < text.size()) {
        const std::optional<Decoded> decoded = decode_one(text, at);
        const std::size_t length = decoded ? decoded->length : 1;
        const std::string_view sequence = text.substr(at, length);
        if (decoded && keep(decoded->code_point)) {
            out += sequence;
        } else {
            append_hex(out, sequence);
        }
        at += length;
    }
    return out;
}

bool any_code_point(char32_t) {
    return true;
}

bool xml_char(char32_t c) {
    return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
           (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

bool printable_char(char32_t c) {
    return c == 0x9 || (c >= 0x20 && c != 0x7F && !(c >= 0x80 && c <= 0x9F));
}

}  // namespace mh::harness::report::detail
