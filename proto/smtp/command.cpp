#include "proto/smtp/command.hpp"

#include <algorithm>
#include <array>
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

bool is_alnum(char c) {
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

// At most one parameter per space: reserved when the first is valid, rather than moving them at
// each growth or allocating for a line whose first parameter is malformed (capped, so a line of
// spaces costs no large allocation).
std::size_t max_params(std::string_view text) {
    std::size_t spaces = 0;
    for (auto at = text.find(' '); at != std::string_view::npos; at = text.find(' ', at + 1)) {
        ++spaces;
    }
    return std::min<std::size_t>(spaces + 1, 32);
}

// Mail-parameters = esmtp-param *(SP esmtp-param)  (4.1.2)
ParseResult<std::vector<EsmtpParam>, CommandError> parse_params(std::string_view text, bool utf8) {
    std::vector<EsmtpParam> params;
    const std::string_view all = text;
    while (!text.empty()) {
        const std::size_t space = text.find(' ');
        const std::string_view item = text.substr(0, space);
        text = space == std::string_view::npos ? std::string_view{} : text.substr(space + 1);
        if (item.empty() || (space != std::string_view::npos && text.empty())) {
            return error(CommandErrorKind::bad_parameter,
                         "parameters are separated by exactly one space (RFC 5321 4.1.2)");
        }
        const std::size_t equals = item.find('=');
        const std::string_view keyword = item.substr(0, equals);
        // esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
        bool keyword_ok = !keyword.empty() && is_alnum(keyword[0]);
        for (char c : keyword) {
            keyword_ok = keyword_ok && (is_alnum(c) || c == '-');
        }
        if (!keyword_ok) {
            return error(CommandErrorKind::bad_parameter,
                         concat("bad esmtp-keyword \"", keyword, "\" (RFC 5321 4.1.2)"));
        }
        // esmtp-value = 1*(%d33-60 / %d62-126), plus UTF-8 with SMTPUTF8 (RFC 6531 3.3)
        const bool has_value = equals != std::string_view::npos;
        const std::string_view value = has_value ? item.substr(equals + 1) : std::string_view{};
        bool value_ok = !has_value || !value.empty();
        for (char c : value) {
            const auto octet = static_cast<unsigned char>(c);
            value_ok =
                value_ok && ((octet >= 33 && octet <= 126 && c != '=') || (utf8 && octet >= 0x80));
        }
        if (!value_ok) {
            return error(CommandErrorKind::bad_parameter,
                         concat("bad esmtp-value for ", ascii_upper(keyword), " (RFC 5321 4.1.2)"));
        }
        if (params.empty()) {
            params.reserve(max_params(all));
        }
        // Built in place: no parameter is moved.
        EsmtpParam& param = params.emplace_back();
        param.keyword = ascii_upper(keyword);
        if (has_value) {
            param.value.emplace(value);
        }
    }
    return params;
}

bool has_smtputf8(const std::vector<EsmtpParam>& params) {
    for (const auto& param : params) {
        if (param.keyword == "SMTPUTF8") {
            return true;
        }
    }
    return false;
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
    std::vector<EsmtpParam> params;
    if (length < arg.size()) {
        if (arg[length] != ' ') {
            return error(CommandErrorKind::syntax,
                         "unexpected text after the path (RFC 5321 4.1.2)");
        }
        auto parsed = parse_params(arg.substr(length + 1), true);
        if (!parsed) {
            return parsed.error();
        }
        params = std::move(parsed).value();
    }
    const GrammarOptions grammar{utf8 || (mail && has_smtputf8(params))};
    auto path = mail ? parse_reverse_path(arg.substr(0, length), grammar)
                     : parse_forward_path(arg.substr(0, length), grammar);
    if (!path) {
        return error(bad_path, path.error().reason);
    }
    return Command{verb, Args{std::move(path).value(), std::move(params)}};
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
    if (word.size() < 4 || word.size() > 8) {
        return std::nullopt;
    }
    // The first letter rules out all verbs but one or two before a whole-word comparison: this
    // runs on every command line, and BDAT is the last of 14.
    const char first = ascii_upper(word.front());
    for (const auto& entry : verb_names) {
        if (entry.name.front() == first && iequals(entry.name, word)) {
            return entry.verb;
        }
    }
    return std::nullopt;
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
