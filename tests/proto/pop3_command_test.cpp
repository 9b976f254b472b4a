// POP3 command grammar (proto/pop3/command.hpp): the verbs of RFC 1939 4-7, CAPA (RFC 2449 5),
// STLS (RFC 2595 4) and AUTH (RFC 5034 4), case-insensitive keywords (RFC 1939 3), argument
// counts, PASS's whole-rest argument (RFC 1939 7) and numeric arguments (RFC 1939 5).

#include "proto/pop3/command.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mh::proto::pop3 {
namespace {

using namespace std::string_literals;

// The arguments of an accepted line, or a description of the error.
std::vector<std::string> arguments_of(std::string_view line) {
    const auto parsed = parse_command(line);
    if (!parsed) {
        return {"error: " + std::string(parsed.error().reason)};
    }
    return {parsed->arguments().begin(), parsed->arguments().end()};
}

std::optional<Verb> verb_of(std::string_view line) {
    const auto parsed = parse_command(line);
    return parsed ? std::optional<Verb>(parsed->verb) : std::nullopt;
}

CommandErrorKind error_of(std::string_view line) {
    const auto parsed = parse_command(line);
    EXPECT_FALSE(parsed.ok()) << line;
    return parsed ? CommandErrorKind{} : parsed.error().kind;
}

// Each verb with a line it accepts (as few arguments as it takes) and one with too many.
struct VerbCase {
    Verb verb;
    std::string accepted;
    std::string too_many;
};
const std::vector<VerbCase> every_verb = {
    {Verb::user, "USER alice", "USER alice bob"},
    {Verb::pass, "PASS secret", ""},  // PASS takes any text: it cannot have too many
    {Verb::apop, "APOP alice 0123456789abcdef0123456789abcdef", "APOP a b c"},
    {Verb::auth, "AUTH", "AUTH PLAIN = x"},
    {Verb::capa, "CAPA", "CAPA x"},
    {Verb::stls, "STLS", "STLS x"},
    {Verb::quit, "QUIT", "QUIT x"},
    {Verb::stat, "STAT", "STAT 1"},
    {Verb::list, "LIST", "LIST 1 2"},
    {Verb::retr, "RETR 1", "RETR 1 2"},
    {Verb::dele, "DELE 1", "DELE 1 2"},
    {Verb::noop, "NOOP", "NOOP x"},
    {Verb::rset, "RSET", "RSET x"},
    {Verb::top, "TOP 1 10", "TOP 1 10 x"},
    {Verb::uidl, "UIDL", "UIDL 1 2"},
};

TEST(Pop3Command, EveryVerbParsesAndRefusesTooManyArguments) {
    ASSERT_EQ(every_verb.size(), verb_rules().size());
    for (const auto& [verb, accepted, too_many] : every_verb) {
        EXPECT_EQ(verb_of(accepted), verb) << accepted;
        EXPECT_EQ(verb_rule(verb).verb, verb);
        if (!too_many.empty()) {
            const auto parsed = parse_command(too_many);
            ASSERT_FALSE(parsed.ok()) << too_many;
            EXPECT_EQ(parsed.error().kind, CommandErrorKind::wrong_argument_count) << too_many;
            EXPECT_EQ(parsed.error().verb, verb) << too_many;
        }
    }
}

TEST(Pop3Command, VerbsAreCaseInsensitive) {
    EXPECT_EQ(verb_of("user alice"), Verb::user);
    EXPECT_EQ(verb_of("UsEr alice"), Verb::user);
    EXPECT_EQ(verb_of("capa"), Verb::capa);
    EXPECT_EQ(verb_of("Top 1 2"), Verb::top);
    EXPECT_EQ(verb_of("sTlS"), Verb::stls);
    // The whole first word must be the keyword, in ASCII.
    EXPECT_EQ(error_of("USERS alice"), CommandErrorKind::unknown_verb);
    EXPECT_EQ(error_of("USE alice"), CommandErrorKind::unknown_verb);
    EXPECT_EQ(error_of("TOP1 2"), CommandErrorKind::unknown_verb);
    EXPECT_EQ(error_of("\xd5SER alice"), CommandErrorKind::unknown_verb);
}

TEST(Pop3Command, UnknownVerbsAndEmptyLines) {
    EXPECT_EQ(error_of(""), CommandErrorKind::unknown_verb);
    EXPECT_EQ(error_of(" "), CommandErrorKind::unknown_verb);
    EXPECT_EQ(error_of(" USER alice"), CommandErrorKind::unknown_verb);  // the verb comes first
    EXPECT_EQ(error_of("HELO x"), CommandErrorKind::unknown_verb);
    EXPECT_EQ(error_of("LIST\t1"), CommandErrorKind::unknown_verb);  // a tab separates nothing
    EXPECT_EQ(parse_command("XTND").error().reason, "unknown command");
    EXPECT_EQ(parse_command("XTND").error().verb, std::nullopt);
}

TEST(Pop3Command, ArgumentCounts) {
    EXPECT_EQ(arguments_of("USER"), std::vector<std::string>{"error: wrong number of arguments"});
    EXPECT_EQ(arguments_of("USER "), std::vector<std::string>{"error: wrong number of arguments"});
    EXPECT_EQ(arguments_of("APOP alice"),
              std::vector<std::string>{"error: wrong number of arguments"});
    EXPECT_EQ(arguments_of("RETR"), std::vector<std::string>{"error: wrong number of arguments"});
    EXPECT_EQ(arguments_of("TOP 1"), std::vector<std::string>{"error: wrong number of arguments"});
    EXPECT_EQ(arguments_of("AUTH"), std::vector<std::string>{});
    EXPECT_EQ(arguments_of("AUTH PLAIN"), std::vector<std::string>{"PLAIN"});
    EXPECT_EQ(arguments_of("AUTH PLAIN ="), (std::vector<std::string>{"PLAIN", "="}));
    EXPECT_EQ(arguments_of("LIST"), std::vector<std::string>{});
    EXPECT_EQ(arguments_of("LIST 2"), std::vector<std::string>{"2"});
    EXPECT_EQ(arguments_of("UIDL 3"), std::vector<std::string>{"3"});
    EXPECT_EQ(arguments_of("TOP 1 10"), (std::vector<std::string>{"1", "10"}));
    // The wrong count names the verb, whose usage the session quotes.
    const auto wrong = parse_command("top 1");
    ASSERT_FALSE(wrong.ok());
    EXPECT_EQ(wrong.error().verb, Verb::top);
    EXPECT_EQ(verb_rule(*wrong.error().verb).usage, "TOP msg n");
}

TEST(Pop3Command, RunsOfSpacesSeparateArguments) {
    EXPECT_EQ(arguments_of("LIST  1"), std::vector<std::string>{"1"});
    EXPECT_EQ(arguments_of("LIST 1 "), std::vector<std::string>{"1"});
    EXPECT_EQ(arguments_of("LIST   "), std::vector<std::string>{});
    EXPECT_EQ(arguments_of("TOP  1   2  "), (std::vector<std::string>{"1", "2"}));
    EXPECT_EQ(arguments_of("USER a\tb"), std::vector<std::string>{"a\tb"});
    EXPECT_EQ(arguments_of("USER a\rb"), std::vector<std::string>{"a\rb"});
}

TEST(Pop3Command, ArgumentsAreViewsIntoTheLine) {
    const std::string line = "TOP 12 3";
    const auto parsed = parse_command(line);
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(parsed->arguments()[0].data(), line.data() + 4);
    EXPECT_EQ(parsed->arguments()[1].data(), line.data() + 7);
}

TEST(Pop3Command, PassTakesTheWholeRestOfTheLine) {
    EXPECT_EQ(arguments_of("PASS two words"), std::vector<std::string>{"two words"});
    EXPECT_EQ(arguments_of("pass  leading and trailing  "),
              std::vector<std::string>{" leading and trailing  "});
    EXPECT_EQ(arguments_of("PASS a b c d"), std::vector<std::string>{"a b c d"});
    EXPECT_EQ(arguments_of("PASS  "), std::vector<std::string>{" "});
    EXPECT_EQ(arguments_of("PASS "), std::vector<std::string>{"error: wrong number of arguments"});
    EXPECT_EQ(arguments_of("PASS"), std::vector<std::string>{"error: wrong number of arguments"});
}

TEST(Pop3Command, NulAnywhereIsAnError) {
    for (const auto& line :
         {"\0"s, "USER a\0b"s, "PASS x\0"s, "\0USER a"s, "US\0ER a"s, "XTND\0"s, "USER\0"s}) {
        const auto parsed = parse_command(line);
        ASSERT_FALSE(parsed.ok());
        EXPECT_EQ(parsed.error().kind, CommandErrorKind::nul);
        EXPECT_EQ(parsed.error().reason, "NUL in command");
    }
}

TEST(Pop3Command, DecimalArguments) {
    EXPECT_EQ(decimal_argument("0"), 0u);
    EXPECT_EQ(decimal_argument("1"), 1u);
    EXPECT_EQ(decimal_argument("01"), 1u);
    EXPECT_EQ(decimal_argument("0003"), 3u);
    EXPECT_EQ(decimal_argument("999999999"), 999'999'999u);
    EXPECT_EQ(decimal_argument("1000000000"), 1'000'000'000u);
    // Saturated, never wrapped: 4772185884 is 2^32 + 477218588, which a 32-bit wrap makes small.
    EXPECT_EQ(decimal_argument("4772185884"), 1'000'000'000u);
    EXPECT_EQ(decimal_argument("99999999999999999999999999999"), 1'000'000'000u);
    EXPECT_EQ(decimal_argument("-1"), std::nullopt);
    EXPECT_EQ(decimal_argument("+1"), std::nullopt);
    EXPECT_EQ(decimal_argument(""), std::nullopt);
    EXPECT_EQ(decimal_argument("1a"), std::nullopt);
    EXPECT_EQ(decimal_argument("1 "), std::nullopt);
    EXPECT_EQ(decimal_argument("\xd9"), std::nullopt);  // a digit in no ASCII sense
}

}  // namespace
}  // namespace mh::proto::pop3
