#include "proto/smtp/command.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <utility>

#include "proto/common/ascii.hpp"
#include "proto/common/concat.hpp"

namespace mh::proto::smtp {
namespace {

struct VerbName {
    Verb verb;
    std::string_view name;
};
constexpr std::array<VerbName, 14> verb_names{{
    {Verb::ehlo, "EHLO"},
    {Verb::helo, "HELO"},
    {Verb::mail, "MAIL"},
    {Verb::rcpt, "RCPT"},
    {Verb::data, "DATA"},
    {Verb::rset, "RSET"},
    {Verb::noop, "NOOP"},
    {Verb::quit, "QUIT"},
    {Verb::vrfy, "VRFY"},
    {Verb::expn, "EXPN"},
    {Verb::help, "HELP"},
    {Verb::starttls, "STARTTLS"},
    {Verb::auth, "AUTH"},
    {Verb::bdat, "BDAT"},
}};

// Four octets as one number, the first lowest: find_verb's switch key.
constexpr std::uint32_t word_key(const char* octets) {
    const auto octet = [octets](int at) {
        return std::uint32_t{static_cast<unsigned char>(octets[at])};
    };
    return octet(0) | octet(1) << 8 | octet(2) << 16 | octet(3) << 24;
}
constexpr std::uint32_t case_mask = 0xDFDFDFDF;  // bit 5 of each octet: a letter's case

// The esmtp-param of the parameter text that starts at `from`: up to the next space or the end.
std::string_view item_from(const char* from, const char* text_end) {
    const void* space = std::memchr(from, ' ', static_cast<std::size_t>(text_end - from));
    const char* const item_end = space == nullptr ? text_end : static_cast<const char*>(space);
    return {from, static_cast<std::size_t>(item_end - from)};
}

constexpr bool is_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

CommandError error(CommandErrorKind kind, ErrorText reason) {
    return CommandError{kind, std::move(reason)};
}

// "<VERB> takes no argument" for DATA, RSET, QUIT and STARTTLS, as literals (no allocation).
ErrorText no_argument(Verb verb) {
    switch (verb) {
        case Verb::data:
            return "DATA takes no argument (RFC 5321 4.1.1)";
        case Verb::rset:
            return "RSET takes no argument (RFC 5321 4.1.1)";
        case Verb::quit:
            return "QUIT takes no argument (RFC 5321 4.1.1)";
        default:
            return "STARTTLS takes no argument (RFC 5321 4.1.1)";
    }
}

// Where an octet may stand in an esmtp-param (4.1.2), as bits: a table lookup per octet rather
// than a chain of range comparisons for each.
enum ParamOctet : std::uint8_t {
    keyword_start = 1,  // esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
    keyword_octet = 2,
    value_octet = 4,  // esmtp-value = 1*(%d33-60 / %d62-126), plus UTF8-non-ascii (RFC 6531 3.3):
                      // any octet above 127, its encoding unchecked
};
constexpr std::array<std::uint8_t, 256> param_octets = [] {
    std::array<std::uint8_t, 256> table{};
    for (std::size_t octet = 0; octet < table.size(); ++octet) {
        const char c = static_cast<char>(octet);
        const bool value = (octet >= 33 && octet <= 126 && c != '=') || octet >= 0x80;
        table[octet] =
            static_cast<std::uint8_t>((is_alnum(c) ? keyword_start | keyword_octet : 0) |
                                      (c == '-' ? keyword_octet : 0) | (value ? value_octet : 0));
    }
    return table;
}();

// The ParamOctet bits every octet of `text` has.
std::uint8_t classes_of(std::string_view text) {
    std::uint8_t classes = 0xFF;
    for (const char c : text) {
        classes &= param_octets[static_cast<unsigned char>(c)];
    }
    return classes;
}

// Mail-parameters = esmtp-param *(SP esmtp-param)  (4.1.2), checked; the list is read later
// from the text itself.
ParseResult<EsmtpParams, CommandError> parse_params(std::string_view text) {
    const EsmtpParams params{text};
    for (const EsmtpParam param : params) {
        if (param.keyword.empty() && !param.value) {
            return error(CommandErrorKind::bad_parameter,
                         "parameters are separated by exactly one space (RFC 5321 4.1.2)");
        }
        const bool keyword_ok = !param.keyword.empty() &&
                                (param_octets[static_cast<unsigned char>(param.keyword.front())] &
                                 keyword_start) != 0 &&
                                (classes_of(param.keyword) & keyword_octet) != 0;
        if (!keyword_ok) {
            return error(CommandErrorKind::bad_parameter,
                         concat("bad esmtp-keyword \"", param.keyword, "\" (RFC 5321 4.1.2)"));
        }
        const bool value_ok = !param.value || (!param.value->empty() &&
                                               (classes_of(*param.value) & value_octet) != 0);
        if (!value_ok) {
            return error(
                CommandErrorKind::bad_parameter,
                concat("bad esmtp-value for ", ascii_upper(param.keyword), " (RFC 5321 4.1.2)"));
        }
    }
    return params;
}

bool has_smtputf8(const EsmtpParams& params) {
    return std::any_of(params.begin(), params.end(),
                       [](const EsmtpParam& param) { return iequals(param.keyword, "SMTPUTF8"); });
}

// "FROM:" Reverse-path [SP Mail-parameters]  /  "TO:" Forward-path [SP Rcpt-parameters]
template <class Args>
ParseResult<Command, CommandError> parse_path_command(Verb verb, std::string_view arg,
                                                      std::string_view prefix, bool utf8) {
    const bool mail = verb == Verb::mail;
    const auto bad_path = mail ? CommandErrorKind::bad_sender : CommandErrorKind::bad_recipient;
    if (!istarts_with(arg, prefix)) {
        return mail ? error(CommandErrorKind::syntax,
                            "expected \"FROM:<address>\" (RFC 5321 4.1.1.2, 4.1.1.3)")
                    : error(CommandErrorKind::syntax,
                            "expected \"TO:<address>\" (RFC 5321 4.1.1.2, 4.1.1.3)");
    }
    arg.remove_prefix(prefix.size());
    const std::size_t length = path_length(arg);
    if (length == std::string_view::npos) {
        return arg.starts_with(' ') ? error(CommandErrorKind::syntax,
                                            "no space allowed before the path (RFC 5321 4.1.2)")
                                    : error(CommandErrorKind::syntax,
                                            "the path must be enclosed in <> (RFC 5321 4.1.2)");
    }
    EsmtpParams params;
    if (length < arg.size()) {
        if (arg[length] != ' ') {
            return error(CommandErrorKind::syntax,
                         "unexpected text after the path (RFC 5321 4.1.2)");
        }
        auto parsed = parse_params(arg.substr(length + 1));
        if (!parsed) {
            return parsed.error();
        }
        params = *parsed;
    }
    const auto parse_path = [mail, text = arg.substr(0, length)](GrammarOptions grammar) {
        return mail ? parse_reverse_path(text, grammar) : parse_forward_path(text, grammar);
    };
    auto path = parse_path(GrammarOptions{utf8});
    // MAIL's own SMTPUTF8 allows a UTF-8 sender (RFC 6531 3.4). Looked for only when the path
    // needs it: UTF-8 paths are a superset, and this runs on every MAIL.
    if (!path && mail && has_smtputf8(params)) {
        path = parse_path(GrammarOptions{true});
    }
    if (!path) {
        return error(bad_path, path.error().reason);
    }
    return Command{verb, Args{std::move(path).value(), params}};
}

ParseResult<Command, CommandError> parse_hello(Verb verb, std::string_view arg) {
    if (arg.empty()) {
        return verb == Verb::ehlo
                   ? error(CommandErrorKind::syntax, "EHLO needs a domain (RFC 5321 4.1.1.1)")
                   : error(CommandErrorKind::syntax, "HELO needs a domain (RFC 5321 4.1.1.1)");
    }
    // ASCII only: clients "MUST send only ASCII (LDH label or A-label) domains in the EHLO
    // command" (RFC 6531 3.7.1).
    const auto kind = parse_domain(arg, verb == Verb::ehlo);
    if (!kind) {
        return error(CommandErrorKind::syntax, kind.error().reason);
    }
    return Command{verb, HelloArgs{std::string(arg), *kind}};
}

// BDAT SP bdat-size [SP end-marker]  (RFC 3030 2)
ParseResult<Command, CommandError> parse_bdat(std::string_view arg) {
    const std::size_t space = arg.find(' ');
    const std::string_view size_text = arg.substr(0, space);
    if (size_text.empty() || size_text.size() > 19) {
        return error(CommandErrorKind::syntax, "BDAT needs a chunk size (RFC 3030 2)");
    }
    BdatArgs bdat;
    for (char c : size_text) {
        if (c < '0' || c > '9') {
            return error(CommandErrorKind::syntax, "BDAT chunk size must be digits (RFC 3030 2)");
        }
        bdat.size = bdat.size * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (space != std::string_view::npos) {
        if (!iequals(arg.substr(space + 1), "LAST")) {
            return error(CommandErrorKind::syntax,
                         "only LAST may follow the BDAT chunk size (RFC 3030 2)");
        }
        bdat.last = true;
    }
    return Command{Verb::bdat, bdat};
}

// AUTH SP sasl-mech [SP initial-response]  (RFC 4954 4)
ParseResult<Command, CommandError> parse_auth(std::string_view arg) {
    const std::size_t space = arg.find(' ');
    const std::string_view mechanism = arg.substr(0, space);
    bool ok = !mechanism.empty() && mechanism.size() <= 20;
    for (char c : mechanism) {
        ok = ok && (is_alnum(c) || c == '-' || c == '_');
    }
    if (!ok) {
        return error(CommandErrorKind::syntax, "AUTH needs a SASL mechanism name (RFC 4954 4)");
    }
    AuthArgs auth{ascii_upper(mechanism), std::nullopt};
    if (space != std::string_view::npos) {
        const std::string_view response = arg.substr(space + 1);
        if (response.empty() || response.find(' ') != std::string_view::npos) {
            return error(CommandErrorKind::syntax, "bad initial response (RFC 4954 4)");
        }
        auth.initial_response = std::string(response);
    }
    return Command{Verb::auth, std::move(auth)};
}

}  // namespace

std::string_view verb_name(Verb verb) {
    for (const auto& entry : verb_names) {
        if (entry.verb == verb) {
            return entry.name;
        }
    }
    return {};
}

std::optional<Verb> find_verb(std::string_view word) {
    // One switch on the word's octets with the case bit cleared instead of a comparison per verb
    // (this runs on every command line). Clearing bit 5 maps an octet onto an upper-case letter
    // only if it is that letter in either case, and every verb is letters only, so a match is
    // exactly a case-insensitive match.
    if (word.size() == 8 && (word_key(word.data()) & case_mask) == word_key("STAR") &&
        (word_key(word.data() + 4) & case_mask) == word_key("TTLS")) {
        return Verb::starttls;
    }
    if (word.size() != 4) {
        return std::nullopt;
    }
    switch (word_key(word.data()) & case_mask) {
        case word_key("EHLO"):
            return Verb::ehlo;
        case word_key("HELO"):
            return Verb::helo;
        case word_key("MAIL"):
            return Verb::mail;
        case word_key("RCPT"):
            return Verb::rcpt;
        case word_key("DATA"):
            return Verb::data;
        case word_key("RSET"):
            return Verb::rset;
        case word_key("NOOP"):
            return Verb::noop;
        case word_key("QUIT"):
            return Verb::quit;
        case word_key("VRFY"):
            return Verb::vrfy;
        case word_key("EXPN"):
            return Verb::expn;
        case word_key("HELP"):
            return Verb::help;
        case word_key("AUTH"):
            return Verb::auth;
        case word_key("BDAT"):
            return Verb::bdat;
        default:
            return std::nullopt;
    }
}

EsmtpParams::iterator EsmtpParams::begin() const {
    if (text_.empty()) {
        return end();
    }
    const char* const text_end = text_.data() + text_.size();
    return {item_from(text_.data(), text_end), text_end};
}

EsmtpParams::iterator& EsmtpParams::iterator::operator++() {
    const char* const item_end = item_.data() + item_.size();
    item_ = item_end == text_end_ ? std::string_view{} : item_from(item_end + 1, text_end_);
    return *this;
}

EsmtpParam EsmtpParams::iterator::operator*() const {
    const std::size_t equals = item_.find('=');
    if (equals == std::string_view::npos) {
        return {item_, std::nullopt};
    }
    return {item_.substr(0, equals), item_.substr(equals + 1)};
}

ParseResult<Command, CommandError> parse_command(std::string_view line,
                                                 CommandParseOptions options) {
    // RFC 5321 4.1.1: receivers SHOULD tolerate trailing white space before the CRLF.
    line = line.substr(0, line.find_last_not_of(" \t") + 1);
    const std::size_t space = line.find(' ');
    const auto verb = find_verb(line.substr(0, space));
    if (!verb) {
        return error(CommandErrorKind::unknown_verb, "command not recognized");
    }
    const bool has_arg = space != std::string_view::npos;
    const std::string_view arg = has_arg ? line.substr(space + 1) : std::string_view{};
    switch (*verb) {
        case Verb::ehlo:
        case Verb::helo:
            return parse_hello(*verb, arg);
        case Verb::mail:
            return parse_path_command<MailArgs>(*verb, arg, "FROM:", false);
        case Verb::rcpt:
            return parse_path_command<RcptArgs>(*verb, arg, "TO:", options.utf8_recipients);
        case Verb::bdat:
            return parse_bdat(arg);
        case Verb::auth:
            return parse_auth(arg);
        case Verb::vrfy:
        case Verb::expn:
            if (!has_arg) {
                return *verb == Verb::vrfy ? error(CommandErrorKind::syntax,
                                                   "VRFY needs an argument (RFC 5321 4.1.1.6)")
                                           : error(CommandErrorKind::syntax,
                                                   "EXPN needs an argument (RFC 5321 4.1.1.6)");
            }
            return Command{*verb, TextArg{std::string(arg)}};
        case Verb::noop:
        case Verb::help:
            return Command{*verb, TextArg{std::string(arg)}};
        case Verb::data:
        case Verb::rset:
        case Verb::quit:
        case Verb::starttls:
            if (has_arg) {
                return error(CommandErrorKind::syntax, no_argument(*verb));
            }
            return Command{*verb, std::monostate{}};
    }
    return error(CommandErrorKind::unknown_verb, "command not recognized");
}

}  // namespace mh::proto::smtp
