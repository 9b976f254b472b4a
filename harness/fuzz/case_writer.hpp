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

}  // namespace mh::harness::fuzz
