#pragma once
// The path grammar of RFC 5321 4.1.2 (Reverse-path, Forward-path, Mailbox, Domain and address
// literals of 4.1.3), with the RFC 6531 3.3 extension for UTF-8 mailboxes, and the length
// limits of 4.5.3.1.1-3. Source routes (A-d-l) are parsed and dropped (4.1.1.3, Appendix C).

#include <string>
#include <string_view>

#include "proto/common/parse_result.hpp"

namespace mh::proto::smtp {

enum class DomainKind {
    name,             // Domain: sub-domain *("." sub-domain)
    ipv4_literal,     // [192.0.2.1]
    ipv6_literal,     // [IPv6:2001:db8::1]
    general_literal,  // [tag:content]
};

struct Mailbox {
    std::string local_part;  // as written, quotes and backslashes included
    std::string domain;      // as written, brackets included for literals
    DomainKind domain_kind = DomainKind::name;

    // "local@domain" as written.
    std::string address() const { return local_part + "@" + domain; }
    // The form handed to policy and delivery: a quoted local part that holds a plain
    // Dot-string loses its quotes ("bob"@x is bob@x, the same mailbox, RFC 5321 4.1.2).
    std::string canonical_address() const;
};

struct Path {
    enum class Kind {
        mailbox,     // <local@domain>
        null,        // <> (reverse-path only)
        postmaster,  // <Postmaster> (forward-path only, 4.1.1.3)
    };
    Kind kind = Kind::mailbox;
    Mailbox mailbox;  // set when kind == mailbox

    // The address without brackets: "" for <>, "Postmaster" for <Postmaster>.
    std::string address() const;
    // The same with Mailbox::canonical_address() for a mailbox.
    std::string canonical_address() const;
};

struct GrammarOptions {
    bool utf8 = false;  // RFC 6531: UTF-8 allowed in local parts and domains
};

// `text` is the whole path, brackets included ("<a@b>"); nothing may follow it.
ParseResult<Path> parse_reverse_path(std::string_view text, GrammarOptions options = {});
ParseResult<Path> parse_forward_path(std::string_view text, GrammarOptions options = {});

// Domain or address-literal, as after EHLO (4.1.1.1); Domain only when `allow_literal` is false.
ParseResult<DomainKind> parse_domain(std::string_view text, bool allow_literal,
                                     GrammarOptions options = {});

// Where the path that starts `text` with "<" ends (one past ">"), skipping ">" inside a quoted
// local part or an address literal; npos when it does not end. Lets MAIL/RCPT split the path
// from the parameters.
std::size_t path_length(std::string_view text);

}  // namespace mh::proto::smtp
