#pragma once
// The relay (client MTA): drains the queue that the server fills with mail for foreign
// domains (docs/relay.md). It runs on its own thread and io_context, scans QUEUE/new on start,
// every relay.scan_interval and whenever a message is queued, and delivers each due message
// to its next hop. Per recipient: 250 -> finished; 4xx, no connection, timeout -> retried on
// the schedule until relay.retry.max_age; 5xx or expired -> a DSN to the sender (dsn.hpp).
//
// At least once, never lost: a message file leaves the queue only after every recipient is
// finished, and each delivered recipient is appended to the state file the moment the next
// hop's 250 is read (fsynced later, off this thread: queue_sync.hpp). A crash between sending
// the final dot and reading that 250 is the one window in which a recipient can get a second
// copy (RFC 5321 6.1, RFC 1047): the relay cannot know whether the next hop kept the message.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <memory>
#include <set>
#include <string>
#include <thread>

#include "reference/config/config.hpp"
#include "reference/relay/dsn.hpp"
#include "reference/relay/maildir_queue.hpp"
#include "reference/relay/queue_entry.hpp"
#include "reference/relay/route_table.hpp"
#include "reference/relay/smtp_delivery.hpp"
#include "reference/server/log.hpp"
#include "reference/server/policy.hpp"
#include "reference/store/group_commit.hpp"

namespace mh::reference {

class Relay {
  public:
    struct Parts {
        const Config& config;
        const ConfigPolicy& policy;  // which local mailbox a bounce goes to
        GroupCommitter& committer;   // stores bounces for local senders
        MaildirRelayQueue& queue;    // queues bounces for foreign senders; wakes the relay
        const EventLog& log;
    };

    // Throws std::runtime_error when the trust anchors (relay.tls.ca) cannot be loaded.
    Relay(Parts parts, std::unique_ptr<NextHopResolver> resolver);
    ~Relay();  // stop()
    Relay(const Relay&) = delete;
    Relay& operator=(const Relay&) = delete;

    void start();
    // Abandons attempts in flight (their messages stay queued) and joins the thread. Idempotent.
    void stop();

  private:
    boost::asio::awaitable<void> scan_loop();
    void scan();
    boost::asio::awaitable<void> process(std::string id);
    // Stores the DSN (or decides there is none to send); false when it could not be stored.
    boost::asio::awaitable<bool> bounce(const QueuedMessage& message,
                                        const std::vector<FailedRecipient>& failed);
    void wake();
    void log(const std::string& line) const;

    Parts parts_;
    std::unique_ptr<NextHopResolver> resolver_;
    DeliverySettings settings_;
    boost::asio::ssl::context tls_;
    QueueStateStore store_;
    std::set<std::string> in_flight_;  // ids being processed (only touched on the relay thread)
    boost::asio::steady_timer* wake_timer_ = nullptr;  // the scan loop's, while it runs
    std::thread thread_;
    bool stopped_ = false;
    // Last: destroyed first, with the coroutine frames parked in it, while the members above
    // that they use still exist.
    boost::asio::io_context io_;
};

}  // namespace mh::reference
