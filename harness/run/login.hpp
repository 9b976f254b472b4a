#pragma once
// The `auth:` step: one login exchange with the target's account over a channel.

#include <string>

#include "harness/run/channel.hpp"
#include "harness/scenario/model.hpp"

namespace mh::harness::run {

struct LoginOutcome {
    enum class Kind {
        accepted,
        refused,
        broken
    };  // broken: an answer neither positive nor negative
    Kind kind = Kind::broken;
    std::string detail;  // the last answer as it arrived, or what went wrong
};

LoginOutcome log_in(Channel& channel, scenario::Mechanism mechanism, const std::string& user,
                    const std::string& password, scenario::Duration timeout);

}  // namespace mh::harness::run
