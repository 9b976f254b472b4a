#include "reference/relay/relay.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <exception>
#include <optional>
#include <stdexcept>

#include "reference/config/accounts.hpp"
#include "reference/relay/dsn.hpp"
#include "reference/store/await_delivery.hpp"
#include "reference/store/maildir.hpp"

namespace mh::reference {
namespace {

namespace asio = boost::asio;
using std::chrono::system_clock;

std::string domain_of(std::string_view address) {
    const auto at = address.rfind('@');
    return at == std::string_view::npos ? std::string() : to_lower_ascii(address.substr(at + 1));
}

const char* outcome_word(RecipientOutcome outcome) {
    switch (outcome) {
        case RecipientOutcome::delivered:
            return "delivered";
        case RecipientOutcome::temporary:
            return "deferred";
        case RecipientOutcome::permanent:
            return "failed";
    }
    return "?";
}

std::string describe(const RecipientResult& result) {
    std::string text = "<" + result.recipient + "> " + outcome_word(result.outcome) + " (";
    text += result.reason;
    if (!result.reply.empty()) {
        text += (result.reason.empty() ? "" : ": ") + result.reply;
    }
    return text + ")";
}

asio::ssl::context client_tls_context(const RelayTls& settings) {
    asio::ssl::context context(asio::ssl::context::tls_client);
    context.set_options(asio::ssl::context::no_sslv2 | asio::ssl::context::no_sslv3 |
                        asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
    if (settings.verify) {
        boost::system::error_code ec;
        if (settings.ca_file.empty()) {
            context.set_default_verify_paths(ec);
        } else {
            context.load_verify_file(settings.ca_file, ec);
        }
        if (ec) {
            throw std::runtime_error("relay.tls: cannot load trust anchors " + settings.ca_file +
                                     ": " + ec.message());
        }
    }
    return context;
}

}  // namespace

Relay::Relay(Parts parts, std::unique_ptr<NextHopResolver> resolver)
    : parts_(parts),
      resolver_(std::move(resolver)),
      settings_{parts.config.hostname, parts.config.relay.tls, parts.config.relay.timeouts},
      tls_(client_tls_context(parts.config.relay.tls)),
      store_(parts.queue.folder(),
             [this](const std::string& error) { log("queue not durable yet: " + error); }) {}

Relay::~Relay() {
    stop();
}

void Relay::start() {
    if (thread_.joinable() || stopped_) {
        return;
    }
    const RelayConfig& relay = parts_.config.relay;
    log("started: " + std::to_string(relay.routes.size()) + " route(s)" +
        (relay.smarthost ? ", smarthost " + relay.smarthost->to_string() : std::string()) +
        ", TLS " + (relay.tls.policy == RelayTlsPolicy::required ? "required" : "opportunistic") +
        ", queue " + parts_.queue.folder().string());
    parts_.queue.on_queued([this] { wake(); });
    asio::co_spawn(io_, scan_loop(), [this](const std::exception_ptr& error) {
        if (error) {
            try {
                std::rethrow_exception(error);
            } catch (const std::exception& e) {
                log(std::string("stopped: ") + e.what());
            }
        }
    });
    thread_ = std::thread([this] { io_.run(); });
}

void Relay::stop() {
    if (stopped_) {
        return;
    }
    stopped_ = true;
    parts_.queue.on_queued({});
    io_.stop();
    if (thread_.joinable()) {
        thread_.join();
    }
}

void Relay::wake() {
    asio::post(io_, [this] {
        if (wake_timer_ != nullptr) {
            wake_timer_->cancel();
        }
    });
}

void Relay::log(const std::string& line) const {
    parts_.log.write("relay", line);
}

asio::awaitable<void> Relay::scan_loop() {
    asio::steady_timer timer(io_);
    wake_timer_ = &timer;
    store_.remove_orphans();
    for (;;) {
        scan();
        timer.expires_after(parts_.config.relay.scan_interval);
        co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
}

void Relay::scan() {
    if (in_flight_.size() >= parts_.config.relay.concurrency) {
        return;  // no room: listing a long queue would only hold up the deliveries' replies
    }
    std::vector<std::string> ids;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(store_.new_dir(), ec)) {
        ids.push_back(entry.path().filename().string());
    }
    if (ec) {
        log("cannot read " + store_.new_dir().string() + ": " + ec.message());
        return;
    }
    std::sort(ids.begin(), ids.end());  // names start with the arrival time: oldest first
    const auto now = system_clock::now();
    for (const auto& id : ids) {
        if (in_flight_.size() >= parts_.config.relay.concurrency) {
            break;
        }
        if (in_flight_.contains(id) || store_.load(id).next_attempt > now) {
            continue;
        }
        in_flight_.insert(id);
        asio::co_spawn(io_, process(id), [this, id](const std::exception_ptr& error) {
            in_flight_.erase(id);
            if (error) {
                try {
                    std::rethrow_exception(error);
                } catch (const std::exception& e) {
                    log(id + ": " + e.what() + " (tried again at the next scan)");
                }
            }
        });
    }
}

asio::awaitable<void> Relay::process(std::string id) {
    QueuedMessage message;
    try {
        message = read_queued_message(store_.message_path(id));
    } catch (const std::runtime_error& e) {
        // Not ours to guess at: keep it for an operator, out of the way of the scans.
        const auto held = parts_.queue.folder() / "held";
        std::filesystem::create_directories(held);
        std::filesystem::rename(store_.message_path(id), held / id);
        log(std::string(e.what()) + "; moved to " + (held / id).string());
        co_return;
    }
    QueueState state = store_.load(id);
    const auto now = system_clock::now();
    const bool expired = now - message.arrival >= parts_.config.relay.retry.max_age;
    const unsigned attempt_number = state.attempts + 1;

    // The pending recipients, grouped by next hop: one connection per hop.
    std::vector<std::pair<std::optional<NextHop>, std::vector<std::string>>> groups;
    for (const auto& recipient : message.recipients) {
        if (state.finished_with(recipient)) {
            continue;
        }
        auto hop = resolver_->next_hop(domain_of(recipient));
        auto group = std::find_if(groups.begin(), groups.end(),
                                  [&](const auto& g) { return g.first == hop; });
        if (group == groups.end()) {
            groups.emplace_back(std::move(hop), std::vector<std::string>{});
            group = std::prev(groups.end());
        }
        group->second.push_back(recipient);
    }

    std::vector<FailedRecipient> failed;
    for (const auto& [hop, recipients] : groups) {
        if (!hop) {
            for (const auto& recipient : recipients) {
                failed.push_back({recipient, "5.4.4", "",
                                  "no route to " + domain_of(recipient) +
                                      " (see relay.routes and relay.smarthost)",
                                  ""});
                log(id + " <" + recipient + "> failed (no route to " + domain_of(recipient) + ")");
            }
            continue;
        }
        // Recorded the moment the next hop's 250 is read, with one append and no fsync (the
        // store makes it durable later, off this thread): a crash of the relay after this
        // line never resends, and a 250 never waits behind another delivery's disk flush.
        auto record_delivered = [&](const DeliveryAttempt& settled) {
            std::vector<std::string> delivered;
            for (const auto& result : settled.recipients) {
                if (result.outcome == RecipientOutcome::delivered) {
                    delivered.push_back(result.recipient);
                }
            }
            if (!delivered.empty()) {
                store_.record_finished(id, delivered);
                state.finished.insert(state.finished.end(), delivered.begin(), delivered.end());
            }
        };
        const DeliveryAttempt attempt =
            co_await deliver_to_next_hop(*hop, message.mail_from, recipients, message.message,
                                         settings_, tls_, record_delivered);
        std::string line = id + " attempt " + std::to_string(attempt_number) + " via " +
                           hop->to_string() +
                           (attempt.tls.empty() ? "" : " (" + attempt.tls + ")") + ":";
        for (const auto& result : attempt.recipients) {
            line += " " + describe(result) + ";";
            if (result.outcome == RecipientOutcome::delivered) {
                continue;  // recorded by record_delivered
            }
            if (result.outcome == RecipientOutcome::permanent || expired) {
                std::string reason = result.reason;
                if (result.outcome == RecipientOutcome::temporary) {
                    const auto age =
                        std::chrono::duration_cast<std::chrono::seconds>(now - message.arrival);
                    reason = "gave up after " + std::to_string(age.count()) +
                             " s in the queue (relay.retry.max_age); last: " + reason;
                }
                failed.push_back({result.recipient, result.status, result.reply, std::move(reason),
                                  attempt.remote_mta});
            }
        }
        line.pop_back();
        log(line);
    }

    if (!failed.empty()) {
        const bool bounced = co_await bounce(message, failed);
        for (const auto& f : failed) {
            if (bounced) {
                state.finished.push_back(f.recipient);
            }
        }
    }
    const bool finished = std::all_of(message.recipients.begin(), message.recipients.end(),
                                      [&](const auto& r) { return state.finished_with(r); });
    if (finished) {
        store_.remove_message(id);
        log(id + " done, removed from the queue");
        co_return;
    }
    state.attempts = attempt_number;
    const auto delay = parts_.config.relay.retry.delay_after(attempt_number);
    state.next_attempt = now + delay;
    store_.save(id, state);
    log(id + " deferred, next attempt in " + std::to_string(delay.count()) + "s");
}

asio::awaitable<bool> Relay::bounce(const QueuedMessage& message,
                                    const std::vector<FailedRecipient>& failed) {
    const std::string& sender = message.mail_from;
    if (sender.empty()) {
        log(message.id + " no DSN: the sender is <> (a bounce is never bounced)");
        co_return true;
    }
    const BounceReport report{parts_.config.hostname, sender, message.id,     message.arrival,
                              system_clock::now(),    failed, message.message};
    const std::string dsn = build_dsn(report, unique_message_name());
    const auto& domains = parts_.config.domains;
    const bool local =
        std::find(domains.begin(), domains.end(), domain_of(sender)) != domains.end();
    DeliveryResult result;
    if (const Account* account = parts_.policy.mailbox_for(sender)) {
        const std::vector<Placement> mailbox{
            {ensure_account_maildir(parts_.config.maildir, account->name), {}}};
        result = co_await await_delivery([&](DeliveryCompletion done) {
            parts_.committer.submit(mailbox, dsn, std::move(done));
        });
    } else if (local) {
        log(message.id + " no DSN: no mailbox for the sender <" + sender + ">");
        co_return true;
    } else {
        result = co_await await_delivery([&](DeliveryCompletion done) {
            parts_.queue.enqueue("", {sender}, dsn, std::move(done));  // RFC 3461 6.1: MAIL FROM:<>
        });
    }
    if (result.status != proto::smtp::DeliveryStatus::stored) {
        log(message.id + " DSN to <" + sender + "> not stored: " + result.error);
        co_return false;
    }
    log(message.id + " DSN to <" + sender + "> stored as " + result.id +
        (local ? " (local mailbox)" : " (queued for relay)"));
    co_return true;
}

}  // namespace mh::reference
