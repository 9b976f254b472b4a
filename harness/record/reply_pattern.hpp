#pragma once
// Turns the text of an observed reply into the regex a recorded case expects: the text itself,
// escaped and anchored, with the parts that change from one session or one server to the next
// replaced by patterns (docs/record.md lists the rules): dates and times, host names and
// address literals, <...@...> tokens (message ids, APOP timestamps), queue ids and other
// generated tokens.

#include <string>
#include <string_view>

namespace mh::harness::record {

enum class Volatility {
    usual,          // the rules above
    mailbox_state,  // also every word holding a digit (POP3 STAT / LIST / UIDL counts and ids)
};

std::string reply_pattern(std::string_view text, Volatility volatility = Volatility::usual);

// `text` with the ECMAScript regex metacharacters escaped; bytes outside printable ASCII become
// "." (the suite file stays valid UTF-8 whatever the peer sent).
std::string escape_regex(std::string_view text);

}  // namespace mh::harness::record
