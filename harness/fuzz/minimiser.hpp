#pragma once
// Delta debugging (Zeller's ddmin) over a finding's conversation: first its turns, then the
// lines inside each turn, then its write boundaries, keeping every step that still reproduces
// the same oracle. Bounded by a number of attempts, since each one is a live conversation.

#include <chrono>
#include <functional>

#include "harness/fuzz/conversation.hpp"

namespace mh::harness::fuzz {

// True when the candidate still shows the finding.
using Reproduces = std::function<bool(const Conversation&)>;

struct MinimiseBudget {
    std::size_t attempts = 150;
    std::chrono::milliseconds time{10000};
};

Conversation minimise(Conversation conversation, const Reproduces& reproduces,
                      MinimiseBudget budget);

}  // namespace mh::harness::fuzz
