#pragma once
// SMTP command lines (RFC 5321 4.1.1, plus STARTTLS of RFC 3207, AUTH of RFC 4954 and BDAT of
// RFC 3030) parsed into values. Verbs are case-insensitive (2.4). The parser checks syntax only;
// whether a command is allowed now, and which parameters are supported, is the session's call.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

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

// esmtp-param = esmtp-keyword ["=" esmtp-value] (4.1.2): views into the command line, as sent.
// Keywords are case-insensitive (2.4): compare them with iequals (proto/common/ascii.hpp).
struct EsmtpParam {
    std::string_view keyword;
    std::optional<std::string_view> value;
};

// Mail-parameters / Rcpt-parameters = esmtp-param *(SP esmtp-param) (4.1.2): the parameter text
// of the command line, read one parameter at a time, so that a command's parameters cost no
// allocation. Views: valid as long as the line given to parse_command.
class EsmtpParams {
  public:
    // A forward iterator whose elements are values (views cut from the text when read).
    class iterator {
      public:
        using value_type = EsmtpParam;
        using difference_type = std::ptrdiff_t;

        iterator() = default;
        EsmtpParam operator*() const;
        iterator& operator++();
        iterator operator++(int) {
            const iterator before = *this;
            ++*this;
            return before;
        }
        bool operator==(const iterator& other) const { return item_.data() == other.item_.data(); }

      private:
        friend class EsmtpParams;
        iterator(std::string_view item, const char* text_end) : item_(item), text_end_(text_end) {}

        std::string_view item_;           // "keyword[=value]"; data() is null at the end
        const char* text_end_ = nullptr;  // where the parameter text ends
    };

    EsmtpParams() = default;
    explicit EsmtpParams(std::string_view text) : text_(text) {}

    iterator begin() const;
    iterator end() const { return {}; }
    bool empty() const { return text_.empty(); }
    EsmtpParam front() const { return *begin(); }
    // The parameters as the line has them: "SIZE=100 BODY=8BITMIME".
    std::string_view text() const { return text_; }

  private:
    std::string_view text_;
};

struct HelloArgs {  // EHLO / HELO
    std::string domain;
    DomainKind kind = DomainKind::name;
};
struct MailArgs {  // MAIL FROM:<reverse-path> [SP Mail-parameters]
    Path path;
    EsmtpParams params;
};
struct RcptArgs {  // RCPT TO:<forward-path> [SP Rcpt-parameters]
    Path path;
    EsmtpParams params;
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

// `line` without its CRLF; trailing spaces and tabs are ignored (RFC 5321 4.1.1). The parameters
// of MAIL and RCPT are views into `line`: the command must not outlive it.
ParseResult<Command, CommandError> parse_command(std::string_view line,
                                                 CommandParseOptions options = {});

}  // namespace mh::proto::smtp
