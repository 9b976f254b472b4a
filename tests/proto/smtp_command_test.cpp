// SMTP command grammar: RFC 5321 4.1.1 verbs, 4.1.2 paths and parameters, 4.1.3 address
// literals, 4.5.3.1 limits, RFC 6531 UTF-8, RFC 3030 BDAT, RFC 4954 AUTH. Every command goes
// through the line framer cut at every byte offset before it is parsed.

#include "proto/smtp/command.hpp"

#include <gtest/gtest.h>

#include "proto/common/line_framer.hpp"
#include "split_feed.hpp"

namespace mh::proto::smtp {
namespace {

// A readable summary of a parse outcome, so outcomes of different cuts can be compared.
std::string summary(const ParseResult<Command, CommandError>& result) {
    if (!result) {
        return "error " + std::to_string(static_cast<int>(result.error().kind)) + ": " +
               result.error().reason;
    }
    const Command& command = *result;
    std::string text(verb_name(command.verb));
    std::visit(
        [&text](const auto& args) {
            using T = std::decay_t<decltype(args)>;
            if constexpr (std::is_same_v<T, HelloArgs>) {
                text += " " + args.domain;
            } else if constexpr (std::is_same_v<T, MailArgs> || std::is_same_v<T, RcptArgs>) {
                text += " <" + args.path.address() + ">";
                for (const EsmtpParam param : args.params) {
                    text.append(" ").append(param.keyword);
                    if (param.value) {
                        text.append("=").append(*param.value);
                    }
                }
            } else if constexpr (std::is_same_v<T, BdatArgs>) {
                text += " " + std::to_string(args.size) + (args.last ? " LAST" : "");
            } else if constexpr (std::is_same_v<T, AuthArgs>) {
                text += " " + args.mechanism +
                        (args.initial_response ? " " + *args.initial_response : "");
            } else if constexpr (std::is_same_v<T, TextArg>) {
                text += " [" + args.text + "]";
            }
        },
        command.args);
    return text;
}

// Frames `line` + CRLF at every cut, parses it, and checks every cut agrees.
ParseResult<Command, CommandError> parse(std::string_view line, CommandParseOptions options = {}) {
    const std::string wire = std::string(line) + "\r\n";
    std::optional<std::string> expected;
    test::for_each_split(wire, [&](const test::Pieces& pieces) {
        LineFramer framer(12288);
        std::vector<std::string> lines;
        for (std::string_view piece : pieces) {
            while (!piece.empty()) {
                piece.remove_prefix(framer.put(piece));
                if (framer.has_line()) {
                    lines.push_back(framer.take().text);
                }
            }
        }
        ASSERT_EQ(lines.size(), 1U);
        ASSERT_EQ(lines[0], line);
        const std::string outcome = summary(parse_command(lines[0], options));
        if (!expected) {
            expected = outcome;
        }
        EXPECT_EQ(outcome, *expected);
    });
    return parse_command(line, options);
}

template <class Args>
const Args& args_of(const ParseResult<Command, CommandError>& result) {
    return std::get<Args>(result->args);
}

void expect_error(std::string_view line, CommandErrorKind kind, CommandParseOptions options = {}) {
    SCOPED_TRACE(std::string(line));
    const auto result = parse(line, options);
    ASSERT_FALSE(result) << summary(result);
    EXPECT_EQ(result.error().kind, kind) << result.error().reason;
    EXPECT_FALSE(result.error().reason.empty());
}

std::string accepted(std::string_view line, CommandParseOptions options = {}) {
    SCOPED_TRACE(std::string(line));
    const auto result = parse(line, options);
    EXPECT_TRUE(result) << summary(result);
    return summary(result);
}

// --- verbs (4.1.1, 2.4) ---------------------------------------------------------------------

TEST(SmtpCommand, VerbsAreCaseInsensitive) {
    // RFC 5321 2.4: "Verbs and argument values ... are not case sensitive".
    EXPECT_EQ(accepted("noop"), "NOOP []");
    EXPECT_EQ(accepted("QuIt"), "QUIT");
    EXPECT_EQ(accepted("rset"), "RSET");
    EXPECT_EQ(accepted("data"), "DATA");
    EXPECT_EQ(accepted("StartTLS"), "STARTTLS");
    EXPECT_EQ(accepted("help mail"), "HELP [mail]");
}

TEST(SmtpCommand, EveryVerbIsFoundByItsNameOnly) {
    // find_verb tries the first letter before the whole word: verbs that share it (EHLO / EXPN,
    // HELO / HELP, RCPT / RSET) and words one letter off must still be told apart.
    for (const Verb verb :
         {Verb::ehlo, Verb::helo, Verb::mail, Verb::rcpt, Verb::data, Verb::rset, Verb::noop,
          Verb::quit, Verb::vrfy, Verb::expn, Verb::help, Verb::starttls, Verb::auth, Verb::bdat}) {
        std::string name(verb_name(verb));
        EXPECT_EQ(find_verb(name), verb) << name;
        name[0] = static_cast<char>(name[0] - 'A' + 'a');
        EXPECT_EQ(find_verb(name), verb) << name;
        name.back() = 'X';
        EXPECT_EQ(find_verb(name), std::nullopt) << name;
    }
    EXPECT_EQ(find_verb("EHLP"), std::nullopt);
    EXPECT_EQ(find_verb("RSPT"), std::nullopt);
    EXPECT_EQ(find_verb("BDA"), std::nullopt);
}

TEST(SmtpCommand, TrailingWhiteSpaceIsTolerated) {
    // RFC 5321 4.1.1: "SMTP receivers SHOULD tolerate trailing white space".
    EXPECT_EQ(accepted("QUIT "), "QUIT");
    EXPECT_EQ(accepted("EHLO client.example \t "), "EHLO client.example");
    EXPECT_EQ(accepted("MAIL FROM:<a@example.test> "), "MAIL <a@example.test>");
    EXPECT_EQ(accepted("RCPT TO:<b@example.test> NOTIFY=NEVER  "),
              "RCPT <b@example.test> NOTIFY=NEVER");
    expect_error("FROBNICATE ", CommandErrorKind::unknown_verb);
    expect_error("EHLO ", CommandErrorKind::syntax);
}

TEST(SmtpCommand, UnknownVerbs) {
    expect_error("XYZZY", CommandErrorKind::unknown_verb);
    expect_error("", CommandErrorKind::unknown_verb);
    expect_error(" NOOP", CommandErrorKind::unknown_verb);
    expect_error("MAILFROM:<a@b.example>", CommandErrorKind::unknown_verb);
    expect_error("ETRN example.test", CommandErrorKind::unknown_verb);
}

TEST(SmtpCommand, ArgumentlessVerbsRejectArguments) {
    // RFC 5321 4.1.1.4 data = "DATA" CRLF, 4.1.1.5 rset = "RSET" CRLF, 4.1.1.10 quit.
    expect_error("DATA now", CommandErrorKind::syntax);
    expect_error("RSET x", CommandErrorKind::syntax);
    expect_error("STARTTLS x", CommandErrorKind::syntax);
}

TEST(SmtpCommand, VrfyAndExpnNeedAnArgument) {
    // RFC 5321 4.1.1.6 vrfy = "VRFY" SP String, 4.1.1.7 expn = "EXPN" SP String.
    EXPECT_EQ(accepted("VRFY alice"), "VRFY [alice]");
    EXPECT_EQ(accepted("EXPN staff"), "EXPN [staff]");
    expect_error("VRFY", CommandErrorKind::syntax);
    expect_error("EXPN", CommandErrorKind::syntax);
}

// --- EHLO / HELO (4.1.1.1) ---------------------------------------------------------------

TEST(SmtpCommand, EhloTakesADomainOrAnAddressLiteral) {
    EXPECT_EQ(accepted("EHLO client.example.org"), "EHLO client.example.org");
    EXPECT_EQ(accepted("EHLO [192.0.2.1]"), "EHLO [192.0.2.1]");
    EXPECT_EQ(accepted("EHLO [IPv6:2001:db8::1]"), "EHLO [IPv6:2001:db8::1]");
    EXPECT_EQ(accepted("HELO localhost"), "HELO localhost");
    expect_error("EHLO", CommandErrorKind::syntax);
    expect_error("EHLO bad_name.example", CommandErrorKind::syntax);
    expect_error("EHLO -lead.example", CommandErrorKind::syntax);
    expect_error("EHLO trail-.example", CommandErrorKind::syntax);
    expect_error("EHLO a..example", CommandErrorKind::syntax);
    expect_error("EHLO a.example extra", CommandErrorKind::syntax);
    expect_error("EHLO cli\xC3\xA9nt.example", CommandErrorKind::syntax);
    expect_error("EHLO cli\x01ent.example", CommandErrorKind::syntax);
    // helo = "HELO" SP Domain: no address literal.
    expect_error("HELO [192.0.2.1]", CommandErrorKind::syntax);
}

// --- MAIL / RCPT paths (4.1.2) -------------------------------------------------------------

TEST(SmtpCommand, MailWithDotStringMailbox) {
    EXPECT_EQ(accepted("MAIL FROM:<alice@example.test>"), "MAIL <alice@example.test>");
    EXPECT_EQ(accepted("mail from:<first.last+tag@sub.example.test>"),
              "MAIL <first.last+tag@sub.example.test>");
    EXPECT_EQ(accepted("MAIL FROM:<!#$%&'*+-/=?^_`{|}~@example.test>"),
              "MAIL <!#$%&'*+-/=?^_`{|}~@example.test>");
}

TEST(SmtpCommand, NullReversePath) {
    // Reverse-path = Path / "<>"
    const auto result = parse("MAIL FROM:<>");
    ASSERT_TRUE(result);
    EXPECT_EQ(args_of<MailArgs>(result).path.kind, Path::Kind::null);
    // ... but not as a Forward-path.
    expect_error("RCPT TO:<>", CommandErrorKind::bad_recipient);
}

TEST(SmtpCommand, QuotedStringLocalParts) {
    // Quoted-string = DQUOTE *QcontentSMTP DQUOTE; quoted-pairSMTP = %d92 %d32-126
    EXPECT_EQ(accepted("RCPT TO:<\"john smith\"@example.test>"),
              "RCPT <\"john smith\"@example.test>");
    EXPECT_EQ(accepted(R"(RCPT TO:<"a\"b\\c"@example.test>)"), R"(RCPT <"a\"b\\c"@example.test>)");
    EXPECT_EQ(accepted("RCPT TO:<\"a>b\"@example.test>"), "RCPT <\"a>b\"@example.test>");
    EXPECT_EQ(accepted("RCPT TO:<\"\"@example.test>"), "RCPT <\"\"@example.test>");
    // A quoted Dot-string names the same mailbox as the plain one (RFC 5321 4.1.2).
    const auto canonical = [](std::string_view line) {
        return args_of<RcptArgs>(parse(line)).path.canonical_address();
    };
    EXPECT_EQ(canonical("RCPT TO:<\"bob\"@example.test>"), "bob@example.test");
    EXPECT_EQ(canonical(R"(RCPT TO:<"b\ob.x"@example.test>)"), "bob.x@example.test");
    EXPECT_EQ(canonical("RCPT TO:<\"bob.\"@example.test>"), "\"bob.\"@example.test");
    EXPECT_EQ(canonical("RCPT TO:<\"john smith\"@example.test>"), "\"john smith\"@example.test");
    EXPECT_EQ(canonical("RCPT TO:<Postmaster>"), "Postmaster");
    expect_error("RCPT TO:<\"unterminated@example.test>", CommandErrorKind::syntax);
    expect_error("RCPT TO:<\"tab\there\"@example.test>", CommandErrorKind::bad_recipient);
}

TEST(SmtpCommand, BadDotStrings) {
    // Dot-string = Atom *("." Atom): no empty atoms.
    expect_error("MAIL FROM:<.alice@example.test>", CommandErrorKind::bad_sender);
    expect_error("MAIL FROM:<alice.@example.test>", CommandErrorKind::bad_sender);
    expect_error("MAIL FROM:<al..ice@example.test>", CommandErrorKind::bad_sender);
    expect_error("MAIL FROM:<al ice@example.test>", CommandErrorKind::bad_sender);
    expect_error("MAIL FROM:<al(ice)@example.test>", CommandErrorKind::bad_sender);
    expect_error("MAIL FROM:<@example.test>", CommandErrorKind::bad_sender);
}

TEST(SmtpCommand, PathsNeedBracketsAndADomain) {
    // Brackets missing or unbalanced: a command syntax error, not an address one.
    expect_error("MAIL FROM:alice@example.test", CommandErrorKind::syntax);
    expect_error("MAIL FROM: <alice@example.test>", CommandErrorKind::syntax);
    expect_error("MAIL FROM:<alice@example.test", CommandErrorKind::syntax);
    expect_error("MAIL FROM:<<bad", CommandErrorKind::syntax);
    expect_error("MAIL FROM:<alice>", CommandErrorKind::bad_sender);
    expect_error("MAIL FROM:<alice@>", CommandErrorKind::bad_sender);
    expect_error("RCPT TO:<bob@example.test>x", CommandErrorKind::syntax);
    expect_error("MAIL TO:<alice@example.test>", CommandErrorKind::syntax);
    expect_error("RCPT FROM:<alice@example.test>", CommandErrorKind::syntax);
    expect_error("MAIL", CommandErrorKind::syntax);
}

TEST(SmtpCommand, PostmasterWithoutDomain) {
    // RFC 5321 4.1.1.3: "RCPT TO:<Postmaster>" must be accepted, case-insensitively.
    const auto result = parse("RCPT TO:<postMaster>");
    ASSERT_TRUE(result);
    EXPECT_EQ(args_of<RcptArgs>(result).path.kind, Path::Kind::postmaster);
    EXPECT_EQ(args_of<RcptArgs>(result).path.address(), "Postmaster");
    EXPECT_EQ(accepted("RCPT TO:<Postmaster@example.test>"), "RCPT <Postmaster@example.test>");
    // Only as a forward-path.
    expect_error("MAIL FROM:<Postmaster>", CommandErrorKind::bad_sender);
}

TEST(SmtpCommand, SourceRoutesAreParsedAndIgnored) {
    // RFC 5321 4.1.1.3 and Appendix C: accept A-d-l, ignore the route.
    EXPECT_EQ(accepted("RCPT TO:<@relay1.example,@relay2.example:bob@example.test>"),
              "RCPT <bob@example.test>");
    EXPECT_EQ(accepted("MAIL FROM:<@relay.example:alice@example.test>"),
              "MAIL <alice@example.test>");
    expect_error("RCPT TO:<@relay.example bob@example.test>", CommandErrorKind::bad_recipient);
    expect_error("RCPT TO:<@:bob@example.test>", CommandErrorKind::bad_recipient);
    expect_error("RCPT TO:<@a.example,bob@example.test>", CommandErrorKind::bad_recipient);
}

// --- address literals (4.1.3) ----------------------------------------------------------

TEST(SmtpCommand, Ipv4AddressLiterals) {
    EXPECT_EQ(accepted("RCPT TO:<bob@[192.0.2.1]>"), "RCPT <bob@[192.0.2.1]>");
    EXPECT_EQ(accepted("RCPT TO:<bob@[0.0.0.0]>"), "RCPT <bob@[0.0.0.0]>");
    EXPECT_EQ(args_of<RcptArgs>(parse("RCPT TO:<bob@[255.255.255.255]>")).path.mailbox.domain_kind,
              DomainKind::ipv4_literal);
    // Snum is 1*3DIGIT with a value of 0 to 255.
    expect_error("RCPT TO:<bob@[256.0.0.1]>", CommandErrorKind::bad_recipient);
    expect_error("RCPT TO:<bob@[1.2.3]>", CommandErrorKind::bad_recipient);
    expect_error("RCPT TO:<bob@[1.2.3.4.5]>", CommandErrorKind::bad_recipient);
    expect_error("RCPT TO:<bob@[1234.2.3.4]>", CommandErrorKind::bad_recipient);
    expect_error("RCPT TO:<bob@192.0.2.1]>", CommandErrorKind::bad_recipient);
}

TEST(SmtpCommand, Ipv6AddressLiterals) {
    const char* valid[] = {
        "[IPv6:2001:db8:0:0:0:0:0:1]",  // IPv6-full
        "[IPv6:2001:db8::1]",           // IPv6-comp
        "[IPv6:::1]",
        "[IPv6:::]",
        "[IPv6:fe80::]",
        "[ipv6:2001:DB8::1]",               // the tag is case-insensitive (2.4)
        "[IPv6:0:0:0:0:0:ffff:192.0.2.1]",  // IPv6v4-full
        "[IPv6:::ffff:192.0.2.1]",          // IPv6v4-comp
    };
    for (const char* literal : valid) {
        const auto result = parse(std::string("RCPT TO:<bob@") + literal + ">");
        ASSERT_TRUE(result) << literal << ": " << summary(result);
        EXPECT_EQ(args_of<RcptArgs>(result).path.mailbox.domain_kind, DomainKind::ipv6_literal);
    }
    const char* invalid[] = {
        "[IPv6:2001:db8:0:0:0:0:1]",       // seven groups, no "::"
        "[IPv6:1:2:3:4:5:6:7:8:9]",        // nine groups
        "[IPv6:1::2::3]",                  // "::" twice
        "[IPv6:1:2:3:4::5:6:7]",           // "::" plus seven groups (at most six)
        "[IPv6:12345::1]",                 // a group of five digits
        "[IPv6:2001:db8::g]",              // not hex
        "[IPv6:1:2:3:4:5:6:7:192.0.2.1]",  // IPv4 tail after seven groups
        "[IPv6:2001:db8:]",                // single trailing colon
        "[IPv6:]",
    };
    for (const char* literal : invalid) {
        SCOPED_TRACE(literal);
        expect_error(std::string("RCPT TO:<bob@") + literal + ">", CommandErrorKind::bad_recipient);
    }
}

TEST(SmtpCommand, GeneralAddressLiterals) {
    // General-address-literal = Standardized-tag ":" 1*dcontent
    const auto result = parse("RCPT TO:<bob@[x-tag:some-content]>");
    ASSERT_TRUE(result) << summary(result);
    EXPECT_EQ(args_of<RcptArgs>(result).path.mailbox.domain_kind, DomainKind::general_literal);
    expect_error("RCPT TO:<bob@[x-tag:]>", CommandErrorKind::bad_recipient);
    expect_error("RCPT TO:<bob@[:content]>", CommandErrorKind::bad_recipient);
    expect_error("RCPT TO:<bob@[tag-:content]>", CommandErrorKind::bad_recipient);
    expect_error("RCPT TO:<bob@[tag:a[b]>", CommandErrorKind::bad_recipient);
    // dcontent may hold ">": the path does not end inside the literal (found by fuzzing).
    EXPECT_EQ(accepted("RCPT TO:<u@[x-tag:>-->]> SIZE=1"), "RCPT <u@[x-tag:>-->]> SIZE=1");
}

// --- limits (4.5.3.1) ----------------------------------------------------------------------

TEST(SmtpCommand, LocalPartDomainAndPathLimits) {
    const std::string local64(64, 'l');
    const std::string label63(63, 'd');
    EXPECT_TRUE(parse("RCPT TO:<" + local64 + "@example.test>"));
    // 4.5.3.1.1: local part at most 64 octets.
    expect_error("RCPT TO:<" + local64 + "l@example.test>", CommandErrorKind::bad_recipient);
    // 4.5.3.1.2: domain at most 255 octets (here 4 labels of 63 + 3 dots = 255, then 257).
    const std::string domain255 = label63 + "." + label63 + "." + label63 + "." + label63;
    ASSERT_EQ(domain255.size(), 255U);
    EXPECT_FALSE(parse("EHLO " + domain255 + ".x").ok());
    EXPECT_TRUE(parse("EHLO " + domain255).ok());
    // 4.5.3.1.3: a path at most 256 octets including the brackets.
    const std::string fits = "<" + local64 + "@" + std::string(189, 'p') + ">";
    ASSERT_EQ(fits.size(), 256U);
    EXPECT_TRUE(parse("RCPT TO:" + fits));
    expect_error("RCPT TO:<" + local64 + "@" + std::string(190, 'p') + ">",
                 CommandErrorKind::bad_recipient);
}

// --- ESMTP parameters (4.1.2) ----------------------------------------------------------

TEST(SmtpCommand, EsmtpParameters) {
    // Keywords come as sent: they are case-insensitive (2.4), and the session compares them so.
    EXPECT_EQ(accepted("MAIL FROM:<a@example.test> SIZE=1000 body=8BITMIME"),
              "MAIL <a@example.test> SIZE=1000 body=8BITMIME");
    EXPECT_EQ(accepted("MAIL FROM:<> SMTPUTF8"), "MAIL <> SMTPUTF8");
    EXPECT_EQ(accepted("RCPT TO:<b@example.test> NOTIFY=NEVER"),
              "RCPT <b@example.test> NOTIFY=NEVER");
    // esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-"); esmtp-value excludes "=", SP, CTL.
    expect_error("MAIL FROM:<a@example.test> -SIZE=1", CommandErrorKind::bad_parameter);
    expect_error("MAIL FROM:<a@example.test> SI_ZE=1", CommandErrorKind::bad_parameter);
    expect_error("MAIL FROM:<a@example.test> SIZE=", CommandErrorKind::bad_parameter);
    expect_error("MAIL FROM:<a@example.test> SIZE=1=2", CommandErrorKind::bad_parameter);
    expect_error("MAIL FROM:<a@example.test> =1", CommandErrorKind::bad_parameter);
    expect_error("MAIL FROM:<a@example.test>  SIZE=1", CommandErrorKind::bad_parameter);
    expect_error("MAIL FROM:<a@example.test> SIZE=1  BODY=7BIT", CommandErrorKind::bad_parameter);
    expect_error("MAIL FROM:<a@example.test> SIZE=1\tBODY=7BIT", CommandErrorKind::bad_parameter);
}

TEST(SmtpCommand, EsmtpParameterErrorsNameTheKeyword) {
    const auto bad_keyword = parse("MAIL FROM:<a@example.test> SIZE=1 si_ze=2");
    ASSERT_FALSE(bad_keyword);
    EXPECT_EQ(bad_keyword.error().reason.view(), "bad esmtp-keyword \"si_ze\" (RFC 5321 4.1.2)");
    const auto bad_value = parse("MAIL FROM:<a@example.test> size=");
    ASSERT_FALSE(bad_value);
    EXPECT_EQ(bad_value.error().reason.view(), "bad esmtp-value for SIZE (RFC 5321 4.1.2)");
}

TEST(SmtpCommand, EsmtpParametersAreReadFromTheLine) {
    // No list is built: each parameter is cut from the line when read, however many there are
    // (a 512-octet line holds up to 256).
    std::string line = "RCPT TO:<b@example.test>";
    for (int i = 0; i < 40; ++i) {
        line += " k" + std::to_string(i) + (i % 2 == 0 ? "=v" + std::to_string(i) : "");
    }
    const auto result = parse_command(line);
    ASSERT_TRUE(result);
    const EsmtpParams& params = args_of<RcptArgs>(result).params;
    EXPECT_EQ(params.text(), std::string_view(line).substr(line.find(" k0") + 1));
    int i = 0;
    for (const EsmtpParam param : params) {
        EXPECT_EQ(param.keyword, "k" + std::to_string(i));
        EXPECT_EQ(param.value, i % 2 == 0 ? std::optional("v" + std::to_string(i)) : std::nullopt);
        // Views into the line itself, not copies.
        EXPECT_GE(param.keyword.data(), line.data());
        EXPECT_LE(param.keyword.data() + param.keyword.size(), line.data() + line.size());
        ++i;
    }
    EXPECT_EQ(i, 40);
    EXPECT_EQ(params.front().keyword, "k0");
    EXPECT_TRUE(args_of<RcptArgs>(parse("RCPT TO:<b@example.test>")).params.empty());
}

TEST(SmtpCommand, Smtputf8IsFoundInAnyCase) {
    // MAIL's own SMTPUTF8 parameter allows a UTF-8 sender (RFC 6531 3.4); keywords are
    // case-insensitive (RFC 5321 2.4).
    const std::string utf8_sender = "MAIL FROM:<j\xC3\xB6rg@example.test>";
    EXPECT_TRUE(parse(utf8_sender + " SIZE=1 smtputf8"));
    EXPECT_TRUE(parse(utf8_sender + " SmtpUtf8 BODY=8BITMIME"));
    expect_error(utf8_sender + " SMTPUTF9", CommandErrorKind::bad_sender);
}

// --- SMTPUTF8 (RFC 6531 3.3) --------------------------------------------------------------

TEST(SmtpCommand, Utf8AddressesNeedSmtputf8) {
    const std::string utf8_local =
        "MAIL FROM:<j\xC3\xB6rg@b\xC3\xBC"
        "cher.example>";
    expect_error(utf8_local, CommandErrorKind::bad_sender);
    EXPECT_TRUE(parse(utf8_local + " SMTPUTF8"));
    const std::string rcpt = "RCPT TO:<\xE7\x94\xA8\xE6\x88\xB7@\xE4\xBE\x8B\xE5\xAD\x90.test>";
    expect_error(rcpt, CommandErrorKind::bad_recipient);
    EXPECT_TRUE(parse(rcpt, CommandParseOptions{true}));
    // Ill-formed UTF-8 stays an error: overlong, lone continuation, truncated sequence.
    expect_error("RCPT TO:<\xC0\xAF@example.test>", CommandErrorKind::bad_recipient,
                 CommandParseOptions{true});
    expect_error("RCPT TO:<\x80@example.test>", CommandErrorKind::bad_recipient,
                 CommandParseOptions{true});
    expect_error("RCPT TO:<a\xE4\xBE@example.test>", CommandErrorKind::bad_recipient,
                 CommandParseOptions{true});
}

// --- BDAT (RFC 3030 2) and AUTH (RFC 4954 4) ------------------------------------------

TEST(SmtpCommand, Bdat) {
    EXPECT_EQ(accepted("BDAT 1000"), "BDAT 1000");
    EXPECT_EQ(accepted("bdat 0 last"), "BDAT 0 LAST");
    expect_error("BDAT", CommandErrorKind::syntax);
    expect_error("BDAT -1", CommandErrorKind::syntax);
    expect_error("BDAT 12x", CommandErrorKind::syntax);
    expect_error("BDAT 10 FIRST", CommandErrorKind::syntax);
    expect_error("BDAT 99999999999999999999", CommandErrorKind::syntax);
}

TEST(SmtpCommand, Auth) {
    EXPECT_EQ(accepted("AUTH PLAIN"), "AUTH PLAIN");
    EXPECT_EQ(accepted("auth plain AGFsaWNlAGFsaWNlLXB3"), "AUTH PLAIN AGFsaWNlAGFsaWNlLXB3");
    EXPECT_EQ(accepted("AUTH LOGIN ="), "AUTH LOGIN =");
    expect_error("AUTH", CommandErrorKind::syntax);
    expect_error("AUTH PL@IN", CommandErrorKind::syntax);
    expect_error("AUTH PLAIN a b", CommandErrorKind::syntax);
}

}  // namespace
}  // namespace mh::proto::smtp
