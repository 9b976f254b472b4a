#pragma once
// What every connection of one server shares: configuration, accounts, policy, stores, TLS
// context and log. All members are safe to use from several threads.

#include <boost/asio/ssl/context.hpp>

#include <filesystem>

#include "reference/config/accounts.hpp"
#include "reference/config/config.hpp"
#include "reference/relay/queue.hpp"
#include "reference/server/log.hpp"
#include "reference/server/policy.hpp"
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
};

}  // namespace mh::reference
