#pragma once
// What the target advertises, probed once per run: EHLO keywords (SMTP) and CAPA lines (POP3),
// before and after STARTTLS / STLS when the profile asks for it. `requires:` is checked here.

#include <stop_token>
#include <string>
#include <vector>

#include "harness/scenario/model.hpp"
#include "harness/scenario/target.hpp"

namespace mh::harness::run {

struct EndpointProbe {
    bool configured = false;
    bool reachable = false;             // a connection could be opened
    std::vector<std::string> keywords;  // EHLO lines after the first / CAPA lines, as advertised
    std::string problem;  // why reachable is false, or what went wrong after connecting
};

struct Capabilities {
    EndpointProbe smtp;
    EndpointProbe pop3;

    const EndpointProbe& of(scenario::Protocol protocol) const {
        return protocol == scenario::Protocol::smtp ? smtp : pop3;
    }
};

Capabilities probe_capabilities(const scenario::TargetProfile& profile, scenario::Duration timeout,
                                std::stop_token stop = {});

// The first of `requires` that `probe` does not advertise, or "" when all are.
std::string first_missing(const std::vector<std::string>& requires_list,
                          const EndpointProbe& probe);

}  // namespace mh::harness::run
