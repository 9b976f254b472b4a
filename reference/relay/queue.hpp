#pragma once
// Where the server hands mail for foreign domains (RecipientVerdict::relay): a durable queue
// that a relay (issue 4) drains. The server awaits `done` before it answers 250, so an
// implementation completes only once the message is safe.

#include <string>
#include <string_view>
#include <vector>

#include "reference/store/group_commit.hpp"

namespace mh::reference {

class RelayQueue {
  public:
    virtual ~RelayQueue() = default;
    // Queues one message for `recipients` (all foreign). `done` runs once, on any thread.
    virtual void enqueue(std::string_view mail_from, const std::vector<std::string>& recipients,
                         std::string_view message, DeliveryCompletion done) = 0;
};

}  // namespace mh::reference
