#include "proto/smtp/address.hpp"

#include "proto/common/ascii.hpp"

#include <optional>

namespace mh::proto::smtp {
namespace {

// RFC 5321 4.5.3.1.1-3 limits, in octets.
constexpr std::size_t max_local_part = 64;
constexpr std::size_t max_domain = 255;
constexpr std::size_t max_path = 256;  // including the angle brackets

bool is_alpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_let_dig(char c) {
    return is_alpha(c) || is_digit(c);
}
bool is_hex(char c) {
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool is_non_ascii(char c) {
    return static_cast<unsigned char>(c) >= 0x80;
}

// atext of RFC 5322 3.2.3.
bool is_atext(char c) {
    if (is_let_dig(c)) {
        return true;
    }
    constexpr std::string_view specials = "!#$%&'*+-/=?^_`{|}~";
    return specials.find(c) != std::string_view::npos;
}

// A recursive-descent reader over one path; every rule returns false without consuming
// anything useful on failure, and the first failure's reason is kept.
class Reader {
  public:
    Reader(std::string_view text, GrammarOptions options) : text_(text), options_(options) {}

    std::size_t pos() const { return pos_; }
    bool at_end() const { return pos_ >= text_.size(); }
    char peek() const { return at_end() ? '\0' : text_[pos_]; }
    bool accept(char c) {
        if (!at_end() && text_[pos_] == c) {
            ++pos_;
            return true;
        }
        return false;
    }
    std::string_view slice(std::size_t from) const { return text_.substr(from, pos_ - from); }
    std::string_view rest() const { return text_.substr(pos_); }
    void skip(std::size_t n) { pos_ += n; }

    ParseError fail(ErrorText reason) const { return ParseError{std::move(reason), pos_}; }

    // One well-formed UTF-8 sequence of two to four octets (RFC 3629 4), when allowed.
    bool utf8_non_ascii() {
        if (!options_.utf8 || !is_non_ascii(peek())) {
            return false;
        }
        const auto lead = static_cast<unsigned char>(peek());
        std::size_t length = 0;
        unsigned char low = 0x80;
        unsigned char high = 0xBF;
        if (lead >= 0xC2 && lead <= 0xDF) {
            length = 2;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            length = 3;
            low = lead == 0xE0 ? 0xA0 : 0x80;
            high = lead == 0xED ? 0x9F : 0xBF;
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            length = 4;
            low = lead == 0xF0 ? 0x90 : 0x80;
            high = lead == 0xF4 ? 0x8F : 0xBF;
        } else {
            return false;
        }
        if (text_.size() - pos_ < length) {
            return false;
        }
        for (std::size_t i = 1; i < length; ++i) {
            const auto c = static_cast<unsigned char>(text_[pos_ + i]);
            const unsigned char min = i == 1 ? low : 0x80;
            const unsigned char max = i == 1 ? high : 0xBF;
            if (c < min || c > max) {
                return false;
            }
        }
        pos_ += length;
        return true;
    }

    // sub-domain = Let-dig [Ldh-str], or a U-label with SMTPUTF8 (RFC 6531 3.3).
    bool sub_domain() {
        const std::size_t start = pos_;
        char last = '\0';
        while (!at_end()) {
            const char c = peek();
            if (is_let_dig(c) || (c == '-' && pos_ > start)) {
                last = c;
                ++pos_;
            } else if (utf8_non_ascii()) {
                last = 'x';
            } else {
                break;
            }
        }
        if (pos_ == start) {
            return false;
        }
        if (last == '-') {  // Ldh-str ends in Let-dig
            pos_ = start;
            return false;
        }
        return true;
    }

    // Domain = sub-domain *("." sub-domain)
    bool domain() {
        if (!sub_domain()) {
            return false;
        }
        while (peek() == '.') {
            ++pos_;
            if (!sub_domain()) {
                return false;
            }
        }
        return true;
    }

    // Snum = 1*3DIGIT, value 0-255
    bool snum() {
        const std::size_t start = pos_;
        unsigned value = 0;
        while (is_digit(peek()) && pos_ - start < 3) {
            value = value * 10 + static_cast<unsigned>(peek() - '0');
            ++pos_;
        }
        return pos_ > start && value <= 255 && !is_digit(peek());
    }

    // IPv4-address-literal = Snum 3("." Snum)
    bool ipv4() {
        if (!snum()) {
            return false;
        }
        for (int i = 0; i < 3; ++i) {
            if (!accept('.') || !snum()) {
                return false;
            }
        }
        return true;
    }

    bool ipv6_hex() {
        const std::size_t start = pos_;
        while (is_hex(peek()) && pos_ - start < 4) {
            ++pos_;
        }
        return pos_ > start && !is_hex(peek());
    }

    // IPv6-addr of 4.1.3: full, compressed, and both with a trailing IPv4 address.
    bool ipv6() {
        std::size_t groups = 0;
        bool compressed = false;
        if (rest().substr(0, 2) == "::") {
            compressed = true;
            pos_ += 2;
        }
        while (!at_end() && peek() != ']') {
            // An IPv4 tail takes the room of two groups.
            const std::size_t save = pos_;
            if (ipv4()) {
                groups += 2;
                break;
            }
            pos_ = save;
            if (!ipv6_hex()) {
                return false;
            }
            ++groups;
            if (peek() == ']') {
                break;
            }
            if (!accept(':')) {
                return false;
            }
            if (accept(':')) {
                if (compressed) {
                    return false;  // "::" at most once
                }
                compressed = true;
                if (peek() == ']') {
                    break;
                }
            } else if (peek() == ']') {
                return false;  // a single trailing ":"
            }
        }
        // "::" stands for at least two groups of zeros, so at most 6 others (4.1.3).
        return compressed ? groups <= 6 : groups == 8;
    }

    // address-literal = "[" ( IPv4 / "IPv6:" IPv6-addr / General-address-literal ) "]"
    std::optional<DomainKind> address_literal() {
        if (!accept('[')) {
            return std::nullopt;
        }
        DomainKind kind = DomainKind::ipv4_literal;
        const std::size_t start = pos_;
        if (ipv4() && peek() == ']') {
            kind = DomainKind::ipv4_literal;
        } else {
            pos_ = start;
            if (iequals(rest().substr(0, 5), "IPv6:")) {
                pos_ += 5;
                if (!ipv6()) {
                    return std::nullopt;
                }
                kind = DomainKind::ipv6_literal;
            } else {
                // General-address-literal = Standardized-tag ":" 1*dcontent
                const std::size_t tag = pos_;
                while (is_let_dig(peek()) || peek() == '-') {
                    ++pos_;
                }
                if (pos_ == tag || text_[pos_ - 1] == '-' || !accept(':')) {
                    return std::nullopt;
                }
                const std::size_t content = pos_;
                while (!at_end()) {
                    const auto c = static_cast<unsigned char>(peek());
                    if ((c >= 33 && c <= 90) || (c >= 94 && c <= 126)) {
                        ++pos_;
                    } else {
                        break;
                    }
                }
                if (pos_ == content) {
                    return std::nullopt;
                }
                kind = DomainKind::general_literal;
            }
        }
        if (!accept(']')) {
            return std::nullopt;
        }
        return kind;
    }

    // Dot-string = Atom *("." Atom)
    bool dot_string() {
        const auto atom = [this] {
            const std::size_t start = pos_;
            while (true) {
                if (is_atext(peek())) {
                    ++pos_;
                } else if (!utf8_non_ascii()) {
                    break;
                }
            }
            return pos_ > start;
        };
        if (!atom()) {
            return false;
        }
        while (peek() == '.') {
            ++pos_;
            if (!atom()) {
                return false;
            }
        }
        return true;
    }

    // Quoted-string = DQUOTE *QcontentSMTP DQUOTE
    bool quoted_string() {
        if (!accept('"')) {
            return false;
        }
        while (!at_end()) {
            const auto c = static_cast<unsigned char>(peek());
            if (c == '"') {
                ++pos_;
                return true;
            }
            if (c == '\\') {  // quoted-pairSMTP = "\" %d32-126
                ++pos_;
                const auto next = static_cast<unsigned char>(peek());
                if (at_end() || next < 32 || next > 126) {
                    return false;
                }
                ++pos_;
            } else if ((c >= 32 && c <= 33) || (c >= 35 && c <= 91) || (c >= 93 && c <= 126)) {
                ++pos_;
            } else if (!utf8_non_ascii()) {
                return false;
            }
        }
        return false;
    }

  private:
    std::string_view text_;
    GrammarOptions options_;
    std::size_t pos_ = 0;
};

ParseResult<Mailbox> parse_mailbox(Reader& in) {
    Mailbox mailbox;
    const std::size_t local_start = in.pos();
    const bool quoted = in.peek() == '"';
    if (quoted ? !in.quoted_string() : !in.dot_string()) {
        return quoted ? in.fail("bad quoted-string local part (RFC 5321 4.1.2)")
                      : in.fail("bad dot-string local part (RFC 5321 4.1.2)");
    }
    mailbox.local_part = std::string(in.slice(local_start));
    if (mailbox.local_part.size() > max_local_part) {
        return in.fail("local part longer than 64 octets (RFC 5321 4.5.3.1.1)");
    }
    if (!in.accept('@')) {
        return in.fail("expected \"@\" after the local part (RFC 5321 4.1.2)");
    }
    const std::size_t domain_start = in.pos();
    if (in.peek() == '[') {
        const auto kind = in.address_literal();
        if (!kind) {
            return in.fail("bad address literal (RFC 5321 4.1.3)");
        }
        mailbox.domain_kind = *kind;
    } else if (!in.domain()) {
        return in.fail("bad domain (RFC 5321 4.1.2)");
    }
    mailbox.domain = std::string(in.slice(domain_start));
    if (mailbox.domain.size() > max_domain) {
        return in.fail("domain longer than 255 octets (RFC 5321 4.5.3.1.2)");
    }
    return mailbox;
}

// Path = "<" [ A-d-l ":" ] Mailbox ">"
ParseResult<Path> parse_path(std::string_view text, GrammarOptions options, bool reverse) {
    Reader in(text, options);
    if (!in.accept('<')) {
        return in.fail("a path must start with \"<\" (RFC 5321 4.1.2)");
    }
    Path path;
    if (in.rest() == ">") {
        if (!reverse) {
            return in.fail("the null path <> is only a reverse-path (RFC 5321 4.1.2)");
        }
        path.kind = Path::Kind::null;
        return path;
    }
    if (!reverse && iequals(in.rest(), "Postmaster>")) {
        path.kind = Path::Kind::postmaster;
        return path;
    }
    if (text.size() > max_path) {
        return in.fail("path longer than 256 octets (RFC 5321 4.5.3.1.3)");
    }
    // A-d-l = At-domain *( "," At-domain ): a source route, accepted and ignored (4.1.1.3).
    if (in.peek() == '@') {
        do {
            if (!in.accept('@') || !in.domain()) {
                return in.fail("bad source route (RFC 5321 4.1.2 A-d-l)");
            }
        } while (in.accept(','));
        if (!in.accept(':')) {
            return in.fail("expected \":\" after the source route (RFC 5321 4.1.2)");
        }
    }
    auto mailbox = parse_mailbox(in);
    if (!mailbox) {
        return mailbox.error();
    }
    path.mailbox = std::move(mailbox).value();
    if (!in.accept('>')) {
        return in.fail("expected \">\" to end the path (RFC 5321 4.1.2)");
    }
    if (!in.at_end()) {
        return in.fail("unexpected text after the path");
    }
    return path;
}

}  // namespace

std::string Mailbox::canonical_address() const {
    if (!local_part.starts_with('"')) {
        return address();
    }
    std::string unquoted;
    for (std::size_t i = 1; i + 1 < local_part.size(); ++i) {
        if (local_part[i] == '\\') {
            ++i;
        }
        unquoted += local_part[i];
    }
    Reader in(unquoted, GrammarOptions{true});
    const bool dot_string = in.dot_string() && in.at_end();
    return (dot_string ? unquoted : local_part) + "@" + domain;
}

std::string Path::address() const {
    switch (kind) {
        case Kind::null:
            return {};
        case Kind::postmaster:
            return "Postmaster";
        case Kind::mailbox:
            break;
    }
    return mailbox.address();
}

std::string Path::canonical_address() const {
    return kind == Kind::mailbox ? mailbox.canonical_address() : address();
}

ParseResult<Path> parse_reverse_path(std::string_view text, GrammarOptions options) {
    return parse_path(text, options, true);
}

ParseResult<Path> parse_forward_path(std::string_view text, GrammarOptions options) {
    return parse_path(text, options, false);
}

ParseResult<DomainKind> parse_domain(std::string_view text, bool allow_literal,
                                     GrammarOptions options) {
    Reader in(text, options);
    DomainKind kind = DomainKind::name;
    if (allow_literal && in.peek() == '[') {
        const auto literal = in.address_literal();
        if (!literal) {
            return in.fail("bad address literal (RFC 5321 4.1.3)");
        }
        kind = *literal;
    } else if (!in.domain()) {
        return in.fail("bad domain (RFC 5321 4.1.2)");
    }
    if (!in.at_end()) {
        return in.fail("unexpected text after the domain");
    }
    if (text.size() > max_domain) {
        return in.fail("domain longer than 255 octets (RFC 5321 4.5.3.1.2)");
    }
    return kind;
}

std::size_t path_length(std::string_view text) {
    if (text.empty() || text[0] != '<') {
        return std::string_view::npos;
    }
    bool quoted = false;
    bool literal = false;  // dcontent of an address literal may hold ">" (4.1.3)
    for (std::size_t i = 1; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            i += c == '\\' ? 1 : 0;
            quoted = c != '"';
        } else if (literal) {
            literal = c != ']';
        } else if (c == '"') {
            quoted = true;
        } else if (c == '[') {
            literal = true;
        } else if (c == '>') {
            return i + 1;
        }
    }
    return std::string_view::npos;
}

}  // namespace mh::proto::smtp
