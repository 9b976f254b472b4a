#pragma once
// Turns a finding into a suite file that `mailharness run` replays: the conversation's turns as
// `send: {raw: ...}` steps, each followed by the replies the reference model gives it, so the
// case fails on the server that shows the finding (a crash closes the connection, a hang times
// out, a grammar violation fails every expectation, extra replies miss `expect: closed`).

#include <string>

#include "harness/fuzz/conversation.hpp"
#include "harness/fuzz/executor.hpp"

namespace mh::harness::fuzz {

struct FindingCase {
    std::string suite_id;  // "fuzz-<oracle>-<hash>"
    std::string yaml;
};

FindingCase reproducer_case(const Conversation& conversation, const Execution& execution,
                            const Verdict& verdict, scenario::Duration timeout);

// `raw:` text in a single-quoted YAML scalar: the runner's escapes for control bytes, bytes
// above 0x7E and backslash; YAML's '' for a quote.
std::string yaml_raw(std::string_view bytes);

}  // namespace mh::harness::fuzz
