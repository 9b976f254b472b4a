#pragma once
// Runs one case step by step against the target and returns its result: pass, fail (expected
// vs actual, the failed step and the transcript), skip (a `requires` not advertised, or a
// profile value the case needs is missing) or error (the harness could not run it).

#include "harness/result.hpp"
#include "harness/run/capabilities.hpp"
#include "harness/scenario/model.hpp"
#include "harness/scenario/target.hpp"

namespace mh::harness::run {

CaseResult run_case(const scenario::Suite& suite, const scenario::Case& kase,
                    const scenario::TargetProfile& profile, const Capabilities& capabilities);

// The value of a built-in variable for this profile, or nullopt when the name is not built in.
// Throws scenario::UndefinedVariable when the profile lacks what the name needs.
std::optional<std::string> builtin_variable(const std::string& name,
                                            const scenario::TargetProfile& profile);

}  // namespace mh::harness::run
