#pragma once
// Runs one case step by step against the target and returns its result: pass, fail (expected
// vs actual, the failed step and the transcript), skip (a `requires` not advertised, or a
// profile value the case needs is missing) or error (the harness could not run it).

#include <stop_token>

#include "harness/result.hpp"
#include "harness/run/capabilities.hpp"
#include "harness/scenario/model.hpp"
#include "harness/scenario/target.hpp"

namespace mh::harness::run {

// Lets a case give its job slot back while it only waits (`sleep`, an expectation that
// allows silence), so that waiting cases do not hold back the others (runner.cpp).
class IdleWaits {
  public:
    virtual ~IdleWaits() = default;
    virtual void begin() = 0;  // the case starts waiting: its slot is free
    virtual void end() = 0;    // the wait is over: takes a slot again (may block)
};

// A stop request ends the case at once as `error` ("interrupted"), with its transcript so far.
// `idle`: nullptr keeps the slot during waits.
CaseResult run_case(const scenario::Suite& suite, const scenario::Case& kase,
                    const scenario::TargetProfile& profile, const Capabilities& capabilities,
                    std::stop_token stop = {}, IdleWaits* idle = nullptr);

// The value of a built-in variable for this profile, or nullopt when the name is not built in.
// Throws scenario::UndefinedVariable when the profile lacks what the name needs.
std::optional<std::string> builtin_variable(const std::string& name,
                                            const scenario::TargetProfile& profile);

}  // namespace mh::harness::run
