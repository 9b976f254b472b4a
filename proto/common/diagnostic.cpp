#include "proto/common/diagnostic.hpp"

#include "proto/common/concat.hpp"

namespace mh::proto {

namespace {

void append_number(std::string& out, std::size_t number, std::size_t width) {
    const Decimal decimal(number);
    const std::string_view digits = decimal;
    if (digits.size() < width) {
        out.append(width - digits.size(), '0');
    }
    out.append(digits);
}

}  // namespace

void append_diagnostic(std::string& out, std::string_view pattern, const Diagnostic& diagnostic,
                       std::string_view piece) {
    std::size_t next_number = 0;
    // A pattern with more placeholders than numbers is a bug of the parser's table: the missing
    // numbers read as 0 rather than unset ones (the unit tests compare every text).
    const auto given = diagnostic.given();
    const auto number = [&] { return next_number < given.size() ? given[next_number++] : 0; };
    while (!pattern.empty()) {
        const std::size_t open = pattern.find('{');
        out.append(pattern.substr(0, open));
        if (open == std::string_view::npos) {
            break;
        }
        pattern.remove_prefix(open);
        if (pattern.starts_with("{}")) {
            append_number(out, number(), 0);
            pattern.remove_prefix(2);
        } else if (pattern.starts_with("{code}")) {
            append_number(out, number(), 3);
            pattern.remove_prefix(6);
        } else if (pattern.starts_with("{text}")) {
            out.append(piece);
            pattern.remove_prefix(6);
        } else {
            out += '{';
            pattern.remove_prefix(1);
        }
    }
}

}  // namespace mh::proto
