// ESMTP parameters of MAIL and RCPT (RFC 5321 4.1.2, proto/smtp/command.hpp): the input is
// appended as the parameter text of a MAIL and a RCPT command. Invariants: both verbs accept the
// same parameter syntax; keywords come out in upper case; parameters written out again parse to
// the same list; SMTPUTF8 (UTF-8 values allowed) accepts a superset.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/support/fuzz_input.hpp"
#include "fuzz/support/smtp_grammar.hpp"
#include "proto/common/concat.hpp"
#include "proto/smtp/command.hpp"

namespace {

using mh::fuzz::require;
namespace smtp = mh::proto::smtp;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view params = mh::fuzz::as_text(data, size);
    static std::string mail_line;  // both only grow: reused across inputs
    static std::string rcpt_line;
    mh::proto::assign_concat(mail_line, "MAIL FROM:<a@example.test> ", params);
    mh::proto::assign_concat(rcpt_line, "RCPT TO:<b@example.test> ", params);
    // MAIL allows UTF-8 values when its own parameters include SMTPUTF8 (RFC 6531 3.4), so it
    // sits between RCPT without and RCPT with UTF-8 recipients: RCPT without them has to fail
    // where MAIL fails, RCPT with them has to succeed where MAIL succeeds (each parsed only
    // where its check can fail).
    const auto mail = smtp::parse_command(mail_line);
    if (!mail) {
        require(!smtp::parse_command(rcpt_line), "MAIL rejects parameters that RCPT accepts");
        return 0;
    }
    const auto rcpt_utf8 = smtp::parse_command(rcpt_line, {.utf8_recipients = true});
    require(rcpt_utf8.ok(), "RCPT with SMTPUTF8 rejects parameters that MAIL accepts");
    const auto& parsed = std::get<smtp::MailArgs>(mail->args).params;
    require(mh::fuzz::same_params(parsed, std::get<smtp::RcptArgs>(rcpt_utf8->args).params),
            "MAIL and RCPT parse the same parameters differently");
    mh::fuzz::check_params_round_trip(parsed);
    return 0;
}
