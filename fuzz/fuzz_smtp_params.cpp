// ESMTP parameters of MAIL and RCPT (RFC 5321 4.1.2, proto/smtp/command.hpp): the input is
// appended as the parameter text of a MAIL and a RCPT command. Invariants: each verb accepts
// exactly the parameter texts RFC 5321 4.1.2's grammar accepts (a malformed one is a
// bad_parameter error), and reads them as the grammar does, keyword and value for keyword and
// value (fuzz/support/smtp_grammar.hpp, read_params).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/support/fuzz_input.hpp"
#include "fuzz/support/smtp_grammar.hpp"
#include "proto/common/concat.hpp"
#include "proto/smtp/command.hpp"

namespace {

using mh::fuzz::require;
namespace smtp = mh::proto::smtp;

template <class Args>
void check_against_grammar(const mh::proto::ParseResult<smtp::Command, smtp::CommandError>& parsed,
                           bool valid, const std::vector<smtp::EsmtpParam>& expected) {
    require(parsed.ok() == valid, "parameters accepted or refused against RFC 5321 4.1.2");
    if (!valid) {
        require(parsed.error().kind == smtp::CommandErrorKind::bad_parameter,
                "malformed parameters not reported as such");
        return;
    }
    require(mh::fuzz::same_params(std::get<Args>(parsed->args).params, expected),
            "parameters read otherwise than RFC 5321 4.1.2 reads them");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view params = mh::fuzz::as_text(data, size);
    static std::string mail_line;  // all three only grow: reused across inputs
    static std::string rcpt_line;
    static std::vector<smtp::EsmtpParam> expected;
    mh::proto::assign_concat(mail_line, "MAIL FROM:<a@example.test> ", params);
    mh::proto::assign_concat(rcpt_line, "RCPT TO:<b@example.test> ", params);
    // Trailing white space ends the line, not a parameter (RFC 5321 4.1.1).
    const bool valid =
        mh::fuzz::read_params(params.substr(0, params.find_last_not_of(" \t") + 1), expected);
    check_against_grammar<smtp::MailArgs>(smtp::parse_command(mail_line), valid, expected);
    check_against_grammar<smtp::RcptArgs>(smtp::parse_command(rcpt_line), valid, expected);
    return 0;
}
