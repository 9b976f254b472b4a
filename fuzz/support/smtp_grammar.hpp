#pragma once
// Round-trip checks of the SMTP path and parameter grammar (proto/smtp/address.hpp,
// command.hpp), shared by the command, address and parameter targets: a value the parser
// produced, written out again, must parse to the same value.
#include <algorithm>
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

inline bool same_params(const std::vector<proto::smtp::EsmtpParam>& a,
                        const std::vector<proto::smtp::EsmtpParam>& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const auto& x, const auto& y) {
        return x.keyword == y.keyword && x.value == y.value;
    });
}

// Parameters written out again ("KEY=value KEY2") parse to the same list.
inline void check_params_round_trip(const std::vector<proto::smtp::EsmtpParam>& params) {
    if (params.empty()) {
        return;
    }
    constexpr std::string_view command = "RCPT TO:<a@example.test>";
    std::size_t size = command.size();
    for (const auto& param : params) {
        size += 2 + param.keyword.size() + (param.value ? param.value->size() : 0);
    }
    static std::string line;  // only grows: reused across inputs
    line.clear();
    line.reserve(size);
    line.append(command);
    for (const auto& param : params) {
        require(!param.keyword.empty(), "an empty esmtp-keyword");
        for (const char c : param.keyword) {
            require(c == ascii_upper(c), "an esmtp-keyword not kept in upper case");
        }
        line.append(" ").append(param.keyword);
        if (param.value) {
            line.append("=").append(*param.value);
        }
    }
    const auto again = proto::smtp::parse_command(line, {.utf8_recipients = true});
    require(again.ok(), "parameters written out again do not parse");
    require(same_params(std::get<proto::smtp::RcptArgs>(again->args).params, params),
            "parameters written out again parse differently");
}

}  // namespace mh::fuzz
