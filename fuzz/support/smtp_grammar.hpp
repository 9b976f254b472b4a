#pragma once
// Checks of the SMTP path and parameter grammar (proto/smtp/address.hpp, command.hpp), shared by
// the command, address and parameter targets: a path the parser produced, written out again, must
// parse to the same path; parameters must be what the RFC's grammar reads in their text.
#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/support/fuzz_input.hpp"
#include "proto/common/concat.hpp"
#include "proto/smtp/address.hpp"
#include "proto/smtp/command.hpp"

namespace mh::fuzz {

inline char ascii_upper(char c) {
    return c >= 'a' && c <= 'z' ? static_cast<char>(c - ('a' - 'A')) : c;
}

inline bool same_mailbox(const proto::smtp::Mailbox& a, const proto::smtp::Mailbox& b) {
    return a.local_part == b.local_part && a.domain == b.domain && a.domain_kind == b.domain_kind;
}

// The path written as "<local@domain>" (source route dropped) parses to the same path.
inline void check_path_round_trip(const proto::smtp::Path& path, bool forward) {
    using Kind = proto::smtp::Path::Kind;
    static std::string text;  // only grows: reused across inputs
    if (path.kind == Kind::mailbox) {
        proto::assign_concat(text, "<", path.mailbox.local_part, "@", path.mailbox.domain, ">");
    } else {
        proto::assign_concat(text, "<", path.address(), ">");
    }
    const proto::smtp::GrammarOptions utf8{.utf8 = true};
    const auto again = forward ? proto::smtp::parse_forward_path(text, utf8)
                               : proto::smtp::parse_reverse_path(text, utf8);
    require(again.ok(), "a parsed path written out again does not parse");
    require(again->kind == path.kind, "a parsed path written out again changes kind");
    require(path.kind != Kind::mailbox || same_mailbox(again->mailbox, path.mailbox),
            "a parsed mailbox written out again parses differently");
    require(path.kind != Kind::mailbox ||
                (path.mailbox.local_part.size() <= 64 && path.mailbox.domain.size() <= 255),
            "a mailbox over the RFC 5321 4.5.3.1.1-2 length limits was accepted");
}

// RFC 5321 4.1.2 read literally: Mail-parameters = esmtp-param *(SP esmtp-param), esmtp-param =
// esmtp-keyword ["=" esmtp-value], esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-"),
// esmtp-value = 1*(%d33-60 / %d62-126), widened by RFC 6531 3.3 with UTF8-non-ascii, which the
// parser takes as any octet above 127 (it does not check the encoding of a value).
inline bool is_alpha_digit(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

inline bool is_esmtp_keyword(std::string_view word) {
    return !word.empty() && is_alpha_digit(word.front()) &&
           std::all_of(word.begin(), word.end(),
                       [](char c) { return is_alpha_digit(c) || c == '-'; });
}

inline bool is_esmtp_value(std::string_view word) {
    return !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
        const auto octet = static_cast<unsigned char>(c);
        return (octet >= 33 && octet <= 126 && c != '=') || octet >= 128;
    });
}

// The parameters `text` holds, by the grammar above (into `out`, cleared first: a target keeps one
// vector for every input); false if `text` breaks it. An empty text holds none.
inline bool read_params(std::string_view text, std::vector<proto::smtp::EsmtpParam>& out) {
    out.clear();
    if (text.empty()) {
        return true;
    }
    for (std::size_t start = 0;;) {
        const std::size_t space = text.find(' ', start);
        const std::string_view param = text.substr(start, space - start);
        const std::size_t equals = param.find('=');
        const std::string_view keyword = param.substr(0, equals);
        if (!is_esmtp_keyword(keyword)) {
            return false;
        }
        auto& read = out.emplace_back(proto::smtp::EsmtpParam{keyword, std::nullopt});
        if (equals != std::string_view::npos) {
            read.value = param.substr(equals + 1);
            if (!is_esmtp_value(*read.value)) {
                return false;
            }
        }
        if (space == std::string_view::npos) {
            return true;
        }
        start = space + 1;
    }
}

// The parser's parameters are the grammar's reading of `expected`, exactly (keywords as sent).
inline bool same_params(const proto::smtp::EsmtpParams& params,
                        const std::vector<proto::smtp::EsmtpParam>& expected) {
    auto want = expected.begin();
    for (const proto::smtp::EsmtpParam param : params) {
        if (want == expected.end() || param.keyword != want->keyword ||
            param.value != want->value) {
            return false;
        }
        ++want;
    }
    return want == expected.end();
}

// A parsed command's parameters are what RFC 5321 4.1.2 reads in the text they came from.
inline void check_params(const proto::smtp::EsmtpParams& params) {
    static std::vector<proto::smtp::EsmtpParam> expected;  // reused across inputs
    require(read_params(params.text(), expected), "parameters accepted that break RFC 5321 4.1.2");
    require(same_params(params, expected),
            "parameters read otherwise than RFC 5321 4.1.2 reads them");
}

}  // namespace mh::fuzz
