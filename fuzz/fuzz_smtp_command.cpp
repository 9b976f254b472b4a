// SMTP command lines (proto/smtp/command.hpp): the input is one line as the framer hands it to
// the session, without its CRLF (fuzz_smtp_line fuzzes the framing of a stream into lines).
// Invariants: a parsed command names the verb its line starts with; its path, written out again,
// parses to the same path; its parameters are what RFC 5321 4.1.2 reads in their text; what
// parses without SMTPUTF8 parses the same with it.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/support/fuzz_input.hpp"
#include "fuzz/support/smtp_grammar.hpp"
#include "proto/smtp/command.hpp"

namespace {

using mh::fuzz::require;
namespace smtp = mh::proto::smtp;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view line = mh::fuzz::as_text(data, size);
    const auto plain = smtp::parse_command(line);
    if (!plain) {
        return 0;
    }
    // The option reaches RCPT only (CommandParseOptions): a second parse of other verbs would
    // repeat the first one.
    if (plain->verb == smtp::Verb::rcpt) {
        const auto utf8 = smtp::parse_command(line, {.utf8_recipients = true});
        require(utf8.ok() && utf8->verb == plain->verb, "SMTPUTF8 made a valid command invalid");
    }
    const std::string_view name = smtp::verb_name(plain->verb);
    require(line.size() >= name.size() &&
                std::equal(name.begin(), name.end(), line.begin(),
                           [](char n, char c) { return n == mh::fuzz::ascii_upper(c); }),
            "a command parsed as another verb than its line names");
    if (const auto* mail = std::get_if<smtp::MailArgs>(&plain->args)) {
        mh::fuzz::check_path_round_trip(mail->path, false);
        mh::fuzz::check_params(mail->params);
    } else if (const auto* rcpt = std::get_if<smtp::RcptArgs>(&plain->args)) {
        mh::fuzz::check_path_round_trip(rcpt->path, true);
        mh::fuzz::check_params(rcpt->params);
    }
    return 0;
}
