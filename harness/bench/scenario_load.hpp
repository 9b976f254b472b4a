#pragma once
// A conformance case as the unit of load (`mailharness bench scenario`): each ticket runs the
// next selected case, whole, through the runner's own executor, so a conversation written for
// the suites doubles as a load profile. A unit is a case that passed; a case that does not pass
// is an error of class "fail" or "error" under its id. Each case's duration is also kept per
// case id (the per-command table of the report).
//
// The executor blocks, so every session needs a thread of its own: run it with
// EngineOptions::threads == concurrency. Cases that use a mailbox (`deliver:`, POP3 logins,
// `mailboxes:`) run one at a time, as in `mailharness run`, because they count its messages.

#include <vector>

#include "harness/bench/engine.hpp"
#include "harness/run/capabilities.hpp"
#include "harness/run/runner.hpp"
#include "harness/scenario/target.hpp"

namespace mh::harness::bench {

struct ScenarioLoadOptions {
    std::vector<run::SelectedCase> cases;  // taken in turn; none skipped for capabilities
    const scenario::TargetProfile* profile = nullptr;
    run::Capabilities capabilities;
};

SessionBody scenario_session(const ScenarioLoadOptions& options);

// The cases of `selected` that the probed target can run (the others would only be skipped);
// `skipped` gets "suite/case: the target does not advertise X" for each one left out.
std::vector<run::SelectedCase> runnable_cases(const std::vector<run::SelectedCase>& selected,
                                              const run::Capabilities& capabilities,
                                              std::vector<std::string>& skipped);

}  // namespace mh::harness::bench
