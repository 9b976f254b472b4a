#pragma once
// The scenario model: suites of conversation cases as the YAML loader produces them
// (docs/scenario-format.md). Values keep their `${name}` references; the executor substitutes
// them per case, so one loaded suite runs against any target profile.

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "harness/result.hpp"

namespace mh::harness::scenario {

using Duration = std::chrono::milliseconds;

enum class Protocol { smtp, pop3 };
const char* to_string(Protocol protocol);  // "smtp", "pop3"

// A regular expression together with its source text (for messages and reports).
// With `${name}` references in the source, `regex` is null until the executor substitutes
// them, each value escaped so that it matches literally (run/matchers.hpp with_variables).
struct Pattern {
    std::string source;
    std::shared_ptr<const std::regex> regex;  // ECMAScript, searched (not anchored)
    bool has_variables = false;

    bool search(const std::string& text) const;
};

// ---- send ----------------------------------------------------------------------------------

struct SendLine {  // `send: TEXT` or `send: {line: TEXT, repeat: N}`: CRLF appended, N times
    std::string text;
    std::size_t repeat = 1;
};
struct SendRaw {  // `send: {raw: "..."}`: escapes decoded at run time, nothing appended
    std::string text;
};
struct SendLines {  // `send: {lines: [...]}`: each with CRLF, in one write (pipelining)
    std::vector<std::string> lines;
};
struct SendData {  // `send: {data: TEXT | {file: PATH}}`: CRLF-normalised, dot-stuffed, CRLF.CRLF
    std::string text;
    std::optional<std::filesystem::path> file;  // resolved against the suite file's folder
};
struct SendBytes {  // `send: {bytes: N, line_length: L}`: N generated octets in lines, then
                    // CRLF.CRLF
    std::size_t bytes = 0;
    std::size_t line_length = 76;
};
using Send = std::variant<SendLine, SendRaw, SendLines, SendData, SendBytes>;

// ---- expect --------------------------------------------------------------------------------

// A reply code pattern: "250", "2xx", "25x" (x = any digit).
struct CodePattern {
    std::string digits;  // three characters, each a digit or 'x'
    bool matches(int code) const;
};

// An enhanced status code pattern (RFC 3463 2): "2.1.0", or with wildcards for whole parts:
// "2.x.x", "5.7.*" ('x' and '*' mean any number).
struct EnhancedPattern {
    std::string text;  // as written
    bool matches(std::string_view code) const;
    // Whether `text` is class.subject.detail, the class 2, 4 or 5, each number 1 to 3 digits
    // (RFC 3463 2), any of subject and detail (or the class) a wildcard.
    static bool valid(std::string_view text);
};

struct ReplyExpect {                 // SMTP
    std::vector<CodePattern> codes;  // any of them; empty = any code
    std::optional<Pattern> text;     // searched in the text of all lines joined by "\n"
    std::optional<EnhancedPattern> enhanced;
    std::optional<std::size_t> lines;
    std::vector<std::string> contains;  // EHLO keywords ("PIPELINING", "AUTH PLAIN")
};

struct BodyExpect {
    std::optional<std::size_t> lines;
    std::optional<Pattern> matches;  // searched in each line: at least one must match
};

struct ResponseExpect {                 // POP3
    std::optional<std::string> status;  // "+OK", "-ERR" or "+" (SASL continuation)
    std::optional<Pattern> text;
    std::optional<std::string> resp_code;  // RFC 2449 8, e.g. "IN-USE"
    std::optional<bool> multiline;         // true: a dot-terminated body follows
    std::optional<BodyExpect> body;        // implies multiline
};

struct ClosedExpect {};
struct SilenceExpect {
    Duration duration{};
};
struct Expectation;
struct AnyExpect {
    std::vector<Expectation> alternatives;
};

struct Expectation {
    std::variant<ReplyExpect, ResponseExpect, ClosedExpect, SilenceExpect, AnyExpect> form;
    std::string written;  // the expectation as written in the suite (flow YAML)
};

// Calls `visit` on every pattern of the expectation (`text`, `body.matches`, in `any` too).
void for_each_pattern(Expectation& expectation, const std::function<void(Pattern&)>& visit);
void for_each_pattern(const Expectation& expectation,
                      const std::function<void(const Pattern&)>& visit);

// ---- other steps ---------------------------------------------------------------------------

struct Capture {
    std::vector<std::pair<std::string, Pattern>> names;  // name -> regex with one group
};
struct StartTls {};  // STARTTLS / STLS, then the handshake
struct Tls {};       // the handshake alone
enum class Mechanism { plain, login, cram_md5, user, apop };
const char* to_string(Mechanism mechanism);  // "PLAIN", "LOGIN", "CRAM-MD5", "USER", "APOP"
struct Auth {
    Mechanism mechanism = Mechanism::plain;
    std::string account;                  // user name of one of the target's accounts
    std::optional<std::string> password;  // overrides the account's (to test rejection)
    bool succeed = true;                  // false: the step passes when the server refuses
};
struct Connect {
    std::string name;
    std::optional<Protocol> protocol;  // default: the suite's
};
struct Switch {  // a step that is only `on: NAME`: later steps use that connection
    std::string connection;
};
struct Sleep {
    Duration duration{};
};
struct Deliver {
    std::string to;    // account user name or address
    std::string from;  // envelope sender; default harness@${domain}
    std::string text;
    std::optional<std::filesystem::path> file;
};

struct Position {
    std::string file;
    int line = 0;  // 1-based
    int column = 0;

    bool operator==(const Position&) const = default;
};

struct Step {
    std::variant<Send, Expectation, Capture, StartTls, Tls, Auth, Connect, Switch, Sleep, Deliver>
        action;
    std::optional<std::string> on;  // connection for this step only
    std::optional<Duration> timeout;
    Position position;
};

struct Case {
    std::string id;
    std::string title;
    std::string spec;  // the suite's spec, or the one named in `ref` ("RFC3207 4.2")
    std::string ref;   // section only ("4.2")
    Level level = Level::must;
    std::vector<std::string> requires_;     // `requires:` (a C++ keyword)
    std::vector<std::string> tags;          // the suite's tags and the case's
    std::vector<std::string> requirements;  // ids in the RFC catalogue (suites/requirements/)
    Duration timeout{5000};
    std::vector<Step> steps;             // fixtures already expanded
    std::vector<std::string> mailboxes;  // accounts the case delivers to or logs in to
    Position position;
};

struct Suite {
    std::string id;
    Protocol protocol = Protocol::smtp;
    std::string spec;
    std::string description;
    std::vector<std::string> tags;
    std::vector<std::pair<std::string, std::string>> variables;  // suite-level `variables:`
    std::filesystem::path file;
    std::vector<Case> cases;
};

}  // namespace mh::harness::scenario
