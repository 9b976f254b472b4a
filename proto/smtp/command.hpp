#pragma once
// SMTP command lines (RFC 5321 4.1.1, plus STARTTLS of RFC 3207, AUTH of RFC 4954 and BDAT of
// RFC 3030) parsed into values. Verbs are case-insensitive (2.4). The parser checks syntax only;
// whether a command is allowed now, and which parameters are supported, is the session's call.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "proto/common/parse_result.hpp"
#include "proto/smtp/address.hpp"

namespace mh::proto::smtp {

enum class Verb {
    ehlo,
    helo,
    mail,
    rcpt,
    data,
    rset,
    noop,
    quit,
    vrfy,
    expn,
    help,
    starttls,
    auth,
    bdat,
};

// The verb's wire name in upper case ("EHLO").
std::string_view verb_name(Verb verb);
// Case-insensitive lookup; nullopt for anything else.
std::optional<Verb> find_verb(std::string_view word);

// esmtp-param = esmtp-keyword ["=" esmtp-value] (4.1.2); keyword kept in upper case.
struct EsmtpParam {
    std::string keyword;
    std::optional<std::string> value;
};

struct HelloArgs {  // EHLO / HELO
    std::string domain;
    DomainKind kind = DomainKind::name;
};
struct MailArgs {  // MAIL FROM:<reverse-path> [SP Mail-parameters]
    Path path;
    std::vector<EsmtpParam> params;
};
struct RcptArgs {  // RCPT TO:<forward-path> [SP Rcpt-parameters]
    Path path;
    std::vector<EsmtpParam> params;
};
struct BdatArgs {  // BDAT chunk-size [SP "LAST"]
    std::uint64_t size = 0;
    bool last = false;
};
struct AuthArgs {                                 // AUTH mechanism [SP initial-response]
    std::string mechanism;                        // upper case
    std::optional<std::string> initial_response;  // base64 text, "=" for empty
};
struct TextArg {  // VRFY / EXPN / HELP / NOOP: the String argument, possibly empty
    std::string text;
};
using Arguments =
    std::variant<std::monostate, HelloArgs, MailArgs, RcptArgs, BdatArgs, AuthArgs, TextArg>;

struct Command {
    Verb verb;
    Arguments args;
};

enum class CommandErrorKind {
    unknown_verb,   // 500 (4.2.4)
    syntax,         // 501: bad or missing arguments, a path not enclosed in <>
    bad_sender,     // 501 5.1.7: a reverse-path whose address breaks the grammar
    bad_recipient,  // 501 5.1.3: a forward-path whose address breaks the grammar
    bad_parameter,  // 501 5.5.4: malformed esmtp-param
};

struct CommandError {
    CommandErrorKind kind;
    ErrorText reason;
};

struct CommandParseOptions {
    // RFC 6531 3.4: UTF-8 addresses in RCPT once MAIL carried SMTPUTF8. MAIL allows them by
    // itself when its own parameters include SMTPUTF8.
    bool utf8_recipients = false;
};

// `line` without its CRLF; trailing spaces and tabs are ignored (RFC 5321 4.1.1).
ParseResult<Command, CommandError> parse_command(std::string_view line,
                                                 CommandParseOptions options = {});

}  // namespace mh::proto::smtp
