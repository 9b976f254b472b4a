#pragma once
// A fault plan for `mailharness serve --faults FILE` (docs/faults.md): which commands get a
// chosen reply, a delay, a disconnect or a malformed reply, how often, for SMTP and/or POP3.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mh::reference {

enum class FaultProtocol { smtp, pop3 };
enum class FaultAction {
    reply,       // answer `reply` instead of the server; the command is not carried out
    delay,       // wait `delay`, then handle the command normally
    disconnect,  // close the connection without answering
    malformed,   // send `reply` bytes exactly as written (no CRLF added); not carried out
};

struct FaultRule {
    std::optional<FaultProtocol> protocol;  // unset: both
    // Upper-case verb ("RCPT", "RETR"), "*" for any command line, "CONNECT" for the greeting,
    // "MESSAGE" for the end of SMTP message content (the reply to the final dot).
    std::string command;
    FaultAction action = FaultAction::reply;
    std::string reply;
    std::chrono::milliseconds delay{0};
    double probability = 1.0;  // drawn for each occurrence, from the session's seeded generator
    unsigned nth = 0;          // only the Nth occurrence in a session; 0 = every occurrence
    std::string where;         // "FILE:LINE:COLUMN" of the rule, for the log

    bool applies_to(FaultProtocol p) const { return !protocol || *protocol == p; }
};

struct FaultPlan {
    std::vector<FaultRule> rules;
    std::uint64_t seed = 0;  // `seed:` in the file, or --seed
};

// Throws ConfigError "FILE:LINE:COLUMN: reason (what to write instead)".
FaultPlan load_fault_plan(const std::filesystem::path& file);
FaultPlan parse_fault_plan(std::string_view yaml, const std::string& name);

}  // namespace mh::reference
