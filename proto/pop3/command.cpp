#include "proto/pop3/command.hpp"

#include <algorithm>

#include "proto/common/ascii.hpp"

namespace mh::proto::pop3 {
namespace {

// Every verb with the states it is valid in (RFC 1939 4-7, RFC 2449 5, RFC 2595 4, RFC 5034 4)
// and how many arguments it takes, in the order of the enum (verb_rule() indexes it).
constexpr std::array<VerbRule, 15> verb_table = {{
    {Verb::user, "USER", true, false, 1, 1, "USER name"},
    {Verb::pass, "PASS", true, false, 1, 1, "PASS password"},
    {Verb::apop, "APOP", true, false, 2, 2, "APOP name digest"},
    {Verb::auth, "AUTH", true, false, 0, 2, "AUTH [mechanism [initial-response]]"},
    {Verb::capa, "CAPA", true, true, 0, 0, "CAPA"},
    {Verb::stls, "STLS", true, false, 0, 0, "STLS"},
    {Verb::quit, "QUIT", true, true, 0, 0, "QUIT"},
    {Verb::stat, "STAT", false, true, 0, 0, "STAT"},
    {Verb::list, "LIST", false, true, 0, 1, "LIST [msg]"},
    {Verb::retr, "RETR", false, true, 1, 1, "RETR msg"},
    {Verb::dele, "DELE", false, true, 1, 1, "DELE msg"},
    {Verb::noop, "NOOP", false, true, 0, 0, "NOOP"},
    {Verb::rset, "RSET", false, true, 0, 0, "RSET"},
    {Verb::top, "TOP", false, true, 2, 2, "TOP msg n"},
    {Verb::uidl, "UIDL", false, true, 0, 1, "UIDL [msg]"},
}};

constexpr bool table_in_enum_order() {
    for (std::size_t i = 0; i < verb_table.size(); ++i) {
        if (static_cast<std::size_t>(verb_table[i].verb) != i) {
            return false;
        }
    }
    return true;
}
static_assert(table_in_enum_order(), "verb_rule() indexes verb_table by the enum");

const VerbRule* find_verb(std::string_view name) {
    const auto it = std::find_if(verb_table.begin(), verb_table.end(),
                                 [&](const VerbRule& rule) { return iequals(rule.name, name); });
    return it == verb_table.end() ? nullptr : &*it;
}

// The space-separated words of `text` into `command` (the first two: no verb takes more, and
// the count alone refuses a line with a third); returns how many there were.
std::size_t split_words(std::string_view text, Command& command) {
    std::size_t count = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const auto space = text.find(' ', pos);
        const auto end = space == std::string_view::npos ? text.size() : space;
        if (end > pos) {
            if (count < command.args.size()) {
                command.args[count] = text.substr(pos, end - pos);
            }
            ++count;
        }
        pos = end + 1;
    }
    return count;
}

}  // namespace

const VerbRule& verb_rule(Verb verb) {
    return verb_table[static_cast<std::size_t>(verb)];
}

std::span<const VerbRule> verb_rules() {
    return verb_table;
}

ParseResult<Command, CommandError> parse_command(std::string_view line) {
    if (line.find('\0') != std::string_view::npos) {
        return CommandError{CommandErrorKind::nul, "NUL in command", std::nullopt};
    }
    const auto space = line.find(' ');
    const VerbRule* rule = find_verb(line.substr(0, space));
    if (rule == nullptr) {
        return CommandError{CommandErrorKind::unknown_verb, "unknown command", std::nullopt};
    }
    const auto rest = space == std::string_view::npos ? std::string_view{} : line.substr(space + 1);
    Command command{rule->verb};
    std::size_t count = 0;
    if (rule->verb == Verb::pass && !rest.empty()) {
        command.args[0] = rest;
        count = 1;
    } else {
        count = split_words(rest, command);
    }
    if (count < rule->min_args || count > rule->max_args) {
        return CommandError{CommandErrorKind::wrong_argument_count, "wrong number of arguments",
                            rule->verb};
    }
    command.arg_count = count;
    return command;
}

std::optional<std::size_t> decimal_argument(std::string_view text) {
    constexpr std::size_t saturated = 1'000'000'000;
    if (text.empty()) {
        return std::nullopt;
    }
    std::size_t value = 0;
    for (const char c : text) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        value = std::min(saturated, value * 10 + static_cast<std::size_t>(c - '0'));
    }
    return value;
}

}  // namespace mh::proto::pop3
