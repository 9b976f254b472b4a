#pragma once
// POP3 command lines (RFC 1939 3 and 7, CAPA of RFC 2449 5, STLS of RFC 2595 4, AUTH of RFC
// 5034 4) parsed into a verb and its arguments, sans I/O and without allocating: the arguments
// are views into the line. Keywords are case-insensitive (RFC 1939 3). The parser checks the
// grammar only; whether the verb is allowed in the session's state is the session's call, with
// the states each verb is valid in given by its VerbRule.

#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

#include "proto/common/parse_result.hpp"

namespace mh::proto::pop3 {

enum class Verb {
    user,
    pass,
    apop,
    auth,
    capa,
    stls,
    quit,
    stat,
    list,
    retr,
    dele,
    noop,
    rset,
    top,
    uidl
};

// What the grammar and the state machine know of a verb.
struct VerbRule {
    Verb verb;
    std::string_view name;  // upper case, as on the wire
    bool in_authorization;  // valid in the AUTHORIZATION state
    bool in_transaction;    // valid in the TRANSACTION state
    std::size_t min_args;
    std::size_t max_args;
    std::string_view usage;  // "TOP msg n": for the reply to a wrong argument count
};

const VerbRule& verb_rule(Verb verb);
// Every verb, in the order of the enum.
std::span<const VerbRule> verb_rules();

struct Command {
    Verb verb;
    // No verb takes more than two arguments. PASS has one: the rest of the line after "PASS ",
    // spaces included (RFC 1939 7: a password may contain spaces).
    std::array<std::string_view, 2> args{};
    std::size_t arg_count = 0;

    std::span<const std::string_view> arguments() const { return {args.data(), arg_count}; }
};

enum class CommandErrorKind {
    nul,                  // a NUL anywhere in the line
    unknown_verb,         // the first word names no command (the empty line included)
    wrong_argument_count  // outside the verb's min_args..max_args
};

struct CommandError {
    CommandErrorKind kind;
    std::string_view reason;   // static text for the -ERR reply
    std::optional<Verb> verb;  // the verb the line names, for wrong_argument_count
};

// `line` without its line end (the session drops the LF and one CR before it). The verb is the
// text up to the first space; arguments are separated by one or more spaces (RFC 1939 3 says
// one; the reference server has always taken more, and trailing spaces, as clients send them).
ParseResult<Command, CommandError> parse_command(std::string_view line);

// A numeric argument, "msg" or TOP's line count (RFC 1939 5 and 7: a decimal number): nullopt
// unless it is one or more ASCII digits. Leading zeros are allowed ("01" is 1); values over
// 1,000,000,000 saturate there (4772185884 is 1,000,000,000, still "no such message").
std::optional<std::size_t> decimal_argument(std::string_view text);

}  // namespace mh::proto::pop3
