#pragma once
// Matches expectations (every `expect:` form of docs/scenario-format.md) against what arrived.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/run/observation.hpp"
#include "harness/scenario/model.hpp"
#include "harness/scenario/variables.hpp"

namespace mh::harness::run {

struct Verdict {
    bool ok = false;
    std::string why;  // on mismatch: what differs, in words
};

Verdict match(const scenario::Expectation& expectation, const Observation& observation);

// The pattern with its `${name}` references replaced by their values (from `lookup`), each
// escaped so that it matches literally, and compiled. Patterns without references are returned
// as they are. Throws scenario::UndefinedVariable as scenario::substitute does.
scenario::Pattern with_variables(const scenario::Pattern& pattern,
                                 const scenario::VariableLookup& lookup);
// The same for every pattern of an expectation; nullopt when none has references.
std::optional<scenario::Expectation> with_variables(const scenario::Expectation& expectation,
                                                    const scenario::VariableLookup& lookup);

// `text` with every ECMAScript regex metacharacter escaped.
std::string regex_escape(std::string_view text);

// How long to wait for an observation: the silence itself, the longest silence among the
// alternatives of an `any`, else the step timeout.
scenario::Duration wait_for(const scenario::Expectation& expectation,
                            scenario::Duration step_timeout);

// POP3: whether the expectation says a body follows (multiline / body), else nullopt.
std::optional<bool> body_hint(const scenario::Expectation& expectation);

// Whether capability lines (EHLO lines after the first, or CAPA lines) advertise `keyword`:
// "PIPELINING", or "AUTH PLAIN" (keyword AUTH with parameter PLAIN). Case-insensitive.
bool advertises(const std::vector<std::string>& capability_lines, std::string_view keyword);

}  // namespace mh::harness::run
