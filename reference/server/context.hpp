#pragma once
// What every connection of one server shares: configuration, accounts, policy, stores, TLS
// context and log. All members are safe to use from several threads.

#include <boost/asio/ssl/context.hpp>

#include <filesystem>

#include "reference/config/accounts.hpp"
#include "reference/config/config.hpp"
#include "reference/faults/session_faults.hpp"
#include "reference/relay/queue.hpp"
#include "reference/server/auth_throttle.hpp"
#include "reference/server/log.hpp"
#include "reference/server/policy.hpp"
#include "reference/server/stop_signal.hpp"
#include "reference/store/group_commit.hpp"
#include "reference/store/maildir_mailstore.hpp"

namespace mh::reference {

struct ServerContext {
    const Config& config;
    const AccountDirectory& accounts;
    ConfigPolicy& policy;
    GroupCommitter& committer;
    RelayQueue& relay;
    MaildirMailstore& mailstore;
    boost::asio::ssl::context& tls;
    EventLog& log;
    AuthThrottle& auth_throttle;
    StopRegistry& stops;
    FaultInjector* faults;  // null without a fault plan
};

}  // namespace mh::reference
