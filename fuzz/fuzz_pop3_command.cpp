// POP3 command lines (proto/pop3/command.hpp): the input is one line as the session hands it to
// parse_command, without its LF and the CR before it (fuzz_pop3_session drives the framing, the
// states and the message numbers against the maildrop). Invariants: a line with a NUL is
// refused for it and only such a line is; otherwise the verb is the one the line's first word
// names (case-insensitive) or the line is refused as unknown; the argument count is the number
// of space-separated words (PASS: the whole rest) and the line is accepted exactly when that is
// within the verb's bounds; the arguments are the line's words, in place and in order, separated
// by spaces only; the command written out again parses to the same; a numeric argument's value
// is its decimal value, saturated at 1,000,000,000, and only digits have one.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz/support/fuzz_input.hpp"
#include "proto/common/ascii.hpp"
#include "proto/pop3/command.hpp"

namespace {

using mh::fuzz::require;
namespace pop3 = mh::proto::pop3;

// The verb whose name `word` is, by a walk over the verb table (the parser searches its own).
std::optional<pop3::Verb> named_verb(std::string_view word) {
    for (const auto& rule : pop3::verb_rules()) {
        if (mh::proto::iequals(rule.name, word)) {
            return rule.verb;
        }
    }
    return std::nullopt;
}

// How many words `text` holds: runs of octets other than space.
std::size_t word_count(std::string_view text) {
    std::size_t count = 0;
    char previous = ' ';
    for (const char c : text) {
        count += previous == ' ' && c != ' ' ? 1 : 0;
        previous = c;
    }
    return count;
}

bool only_spaces(std::string_view text) {
    return text.find_first_not_of(' ') == std::string_view::npos;
}

// The arguments are the words after the verb, views into the line at their own place, with
// nothing but spaces between and after them (PASS: everything after "PASS ").
void check_arguments_in_place(std::string_view line, const pop3::Command& command) {
    const std::size_t verb_size = pop3::verb_rule(command.verb).name.size();
    if (command.verb == pop3::Verb::pass) {
        const auto password = command.arguments()[0];
        require(password.data() == line.data() + verb_size + 1 &&
                    password.size() == line.size() - verb_size - 1,
                "PASS's argument is not the rest of its line");
        return;
    }
    std::size_t pos = verb_size;
    for (const auto arg : command.arguments()) {
        require(!arg.empty() && arg.find(' ') == std::string_view::npos,
                "an argument that is empty or holds a space");
        require(
            arg.data() > line.data() + pos && arg.data() + arg.size() <= line.data() + line.size(),
            "an argument out of place in its line");
        const auto start = static_cast<std::size_t>(arg.data() - line.data());
        require(only_spaces(line.substr(pos, start - pos)),
                "arguments separated by something else than spaces");
        pos = start + arg.size();
    }
    require(only_spaces(line.substr(pos)), "text after the last argument");
}

// VERB and its arguments with one space before each parse back to the same command.
void check_round_trip(const pop3::Command& command) {
    static std::string written;  // reused: only grows
    written.assign(pop3::verb_rule(command.verb).name);
    for (const auto arg : command.arguments()) {
        written.append(1, ' ').append(arg);
    }
    const auto again = pop3::parse_command(written);
    require(again.ok() && again->verb == command.verb && again->arg_count == command.arg_count,
            "a command written out again parses differently");
    for (std::size_t i = 0; i < command.arg_count; ++i) {
        require(again->args[i] == command.args[i],
                "a command written out again has other arguments");
    }
}

// decimal_argument against the value the digits spell: leading zeros skipped, more than ten
// digits always over the saturation point, ten or fewer fit in 64 bits.
void check_decimal(std::string_view text) {
    constexpr std::uint64_t saturated = 1'000'000'000;
    const auto value = pop3::decimal_argument(text);
    const bool digits =
        !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
    require(value.has_value() == digits,
            "a numeric value for other than digits, or none for digits");
    if (!digits) {
        return;
    }
    const auto significant = text.substr(std::min(text.find_first_not_of('0'), text.size()));
    std::uint64_t expected = significant.size() > 10 ? saturated : 0;
    for (const char c : significant.size() > 10 ? std::string_view{} : significant) {
        expected = expected * 10 + static_cast<std::uint64_t>(c - '0');
    }
    require(*value == std::min(expected, saturated), "a numeric argument with another value");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view line = mh::fuzz::as_text(data, size);
    const auto parsed = pop3::parse_command(line);
    const bool nul = line.find('\0') != std::string_view::npos;
    require(nul == (!parsed && parsed.error().kind == pop3::CommandErrorKind::nul),
            "a NUL error unlike the line's NULs");
    if (nul) {
        return 0;
    }
    const auto space = line.find(' ');
    const auto named = named_verb(line.substr(0, space));
    if (!named) {
        require(!parsed && parsed.error().kind == pop3::CommandErrorKind::unknown_verb,
                "a line that names no verb was not refused as unknown");
        return 0;
    }
    const auto& rule = pop3::verb_rule(*named);
    const auto rest = space == std::string_view::npos ? std::string_view{} : line.substr(space + 1);
    const std::size_t words = *named == pop3::Verb::pass && !rest.empty() ? 1 : word_count(rest);
    const bool in_bounds = words >= rule.min_args && words <= rule.max_args;
    if (!parsed) {
        require(parsed.error().kind == pop3::CommandErrorKind::wrong_argument_count &&
                    parsed.error().verb == named && !in_bounds,
                "a refused line that names a verb and has a right argument count");
        return 0;
    }
    require(parsed->verb == *named, "a command parsed as another verb than its line names");
    require(in_bounds && parsed->arg_count == words,
            "an accepted command whose argument count is not its line's");
    check_arguments_in_place(line, *parsed);
    check_round_trip(*parsed);
    for (const auto arg : parsed->arguments()) {
        check_decimal(arg);
    }
    return 0;
}
