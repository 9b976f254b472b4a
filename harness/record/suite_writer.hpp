#pragma once
// Writes recorded sessions as one suite file in the format of docs/scenario-format.md: one case
// per session, expectations as observed (with the volatile parts as patterns), logins as
// `auth:` steps whose accounts are suite variables (login1, login2, ...), never passwords.

#include <string>
#include <vector>

#include "harness/record/recording.hpp"
#include "harness/scenario/model.hpp"

namespace mh::harness::record {

struct SuiteHeader {
    std::string suite_id = "recorded";
    scenario::Protocol protocol = scenario::Protocol::smtp;
    std::string upstream;  // HOST:PORT, for the description
    std::string tool_version;
};

std::string write_suite(const SuiteHeader& header, const std::vector<Session>& sessions);

// A YAML double-quoted scalar holding `text` (valid UTF-8 assumed; control bytes escaped).
std::string yaml_quoted(std::string_view text);

}  // namespace mh::harness::record
