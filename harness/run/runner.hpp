#pragma once
// Runs the selected cases of loaded suites against one target: probes its capabilities once,
// runs cases in parallel (results in suite/case order whatever finishes first), serialises
// cases that share a mailbox, applies the profile's waivers and reports unused ones.

#include <functional>
#include <optional>
#include <stop_token>
#include <string>
#include <utility>
#include <vector>

#include "harness/result.hpp"
#include "harness/scenario/model.hpp"
#include "harness/scenario/selection.hpp"
#include "harness/scenario/target.hpp"

namespace mh::harness::run {

struct Shard {
    unsigned index = 1;  // 1-based
    unsigned count = 1;
};

struct RunOptions {
    scenario::Selection selection;
    // Cases exchanging bytes at once (0: the number of cores). A case that only waits (`sleep`,
    // an expectation that allows silence) frees its slot meanwhile; at most
    // idle_cases(jobs) more cases are open during such waits.
    unsigned jobs = 0;
    std::optional<Shard> shard;
    scenario::Duration probe_timeout{5000};
    std::string tool_version;
    // Called once per finished case, never concurrently (progress lines).
    std::function<void(const CaseResult&)> on_case_done;
    // Ctrl-C: running cases end as `error` ("interrupted"), no further case starts, and the
    // result holds only the cases that ran, marked interrupted and partial.
    std::stop_token stop;
};

// How many cases beyond `jobs` may be open while they wait: 16 per job, at most 64 (a wait
// costs a socket and a thread, no CPU; the suites have many short silences to overlap).
unsigned idle_cases(unsigned jobs);

struct SelectedCase {
    const scenario::Suite* suite;
    const scenario::Case* kase;
};

// Cases in suite order that the selection (and the shard) takes.
std::vector<SelectedCase> select_cases(const std::vector<scenario::Suite>& suites,
                                       const scenario::Selection& selection,
                                       const std::optional<Shard>& shard);

RunResult run_suites(const std::vector<scenario::Suite>& suites,
                     const scenario::TargetProfile& profile, const RunOptions& options);

}  // namespace mh::harness::run
