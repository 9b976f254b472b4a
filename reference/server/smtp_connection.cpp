#include "reference/server/smtp_connection.hpp"

#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <memory>
#include <set>
#include <utility>

#include "reference/server/session_loop.hpp"
#include "reference/store/await_delivery.hpp"
#include "reference/store/maildir.hpp"

namespace mh::reference {
namespace {

namespace asio = boost::asio;
namespace smtp = proto::smtp;

struct SmtpEvents {
    using Write = smtp::WriteEvent;
    using StartTls = smtp::StartTlsEvent;
    using Close = smtp::CloseEvent;
    // The last reply of the batch is 354: message content follows (RFC 5321 4.1.1.4).
    static bool opens_content(std::string_view bytes) {
        const auto start = bytes.size() >= 3 ? bytes.rfind("\r\n", bytes.size() - 3) : bytes.npos;
        const std::string_view last = start == bytes.npos ? bytes : bytes.substr(start + 2);
        return last.starts_with("354");
    }
};

// Logs each AUTH outcome of one session and sets the delay of a failure's reply, then defers
// to the server's policy.
class LoggingPolicy : public smtp::Policy {
  public:
    LoggingPolicy(smtp::Policy& inner, const SessionLabel& label, AuthThrottle& throttle,
                  std::string peer)
        : inner_(inner), label_(label), throttle_(throttle), peer_(std::move(peer)) {}

    smtp::RecipientVerdict verify_recipient(std::string_view address, bool authenticated) override {
        return inner_.verify_recipient(address, authenticated);
    }
    std::optional<std::string> authenticate(std::string_view authzid, std::string_view user,
                                            std::string_view password) override {
        auto account = inner_.authenticate(authzid, user, password);
        label_.write(account ? "auth ok as " + *account : "auth failed for " + std::string(user));
        if (!account) {
            failure_delay_ = throttle_.failed(peer_);
        }
        return account;
    }
    // The delay owed by the last failed AUTH, once.
    std::chrono::milliseconds take_failure_delay() {
        return std::exchange(failure_delay_, std::chrono::milliseconds(0));
    }
    std::optional<std::string> verify_address(std::string_view query) override {
        return inner_.verify_address(query);
    }

  private:
    smtp::Policy& inner_;
    const SessionLabel& label_;
    AuthThrottle& throttle_;
    std::string peer_;
    std::chrono::milliseconds failure_delay_{0};
};

// What the SMTP session needs from run_session besides the machine.
struct SmtpHooks {
    ServerContext& context;
    smtp::Session& session;
    LoggingPolicy& policy;
    StopSignal& stop;
    const SessionLabel& label;
    SessionFaults* faults;

    asio::awaitable<void> other(smtp::Event& event);
    // A failed AUTH waits as the throttle says; past the soft error limit every reply waits a
    // little longer per error (RFC 5321 does not forbid slowing a misbehaving client).
    std::chrono::milliseconds reply_delay() {
        const ServerLimits& limits = context.config.server_limits;
        auto delay = policy.take_failure_delay();
        const unsigned errors = session.error_count();
        const unsigned soft = context.config.limits.soft_error_limit;
        if (errors > soft) {
            delay += limits.error_delay * (errors - soft);
        }
        return std::min(delay, limits.auth_failure_delay_max);
    }
    std::string shutdown_reply() const {
        // RFC 5321 3.8: a server shut down SHOULD send 421 first.
        return "421 4.3.2 " + context.config.hostname + " Service shutting down\r\n";
    }
};

asio::awaitable<DeliveryResult> deliver(const smtp::DeliverEvent& event, ServerContext& context) {
    std::vector<Placement> mailboxes;
    std::set<std::string> accounts;  // one copy per mailbox, however many addresses name it
    std::vector<std::string> foreign;
    // Discard mode stores nothing: no folders to check, no completion to wait for.
    const bool discard = context.committer.durability() == Durability::discard;
    const auto& envelope = event.envelope;
    for (std::size_t i = 0; i < envelope.recipients.size(); ++i) {
        const auto verdict =
            i < envelope.verdicts.size() ? envelope.verdicts[i] : smtp::RecipientVerdict::local;
        if (verdict == smtp::RecipientVerdict::relay) {
            foreign.push_back(envelope.recipients[i]);
        } else if (const Account* account = context.policy.mailbox_for(envelope.recipients[i])) {
            if (accounts.insert(account->name).second && !discard) {
                mailboxes.push_back(
                    {ensure_account_maildir(context.config.maildir, account->name), {}});
            }
        }
    }
    DeliveryResult result;
    if (!mailboxes.empty()) {
        result = co_await await_delivery([&](DeliveryCompletion done) {
            context.committer.submit(mailboxes, event.message, std::move(done));
        });
    }
    if (result.status == smtp::DeliveryStatus::stored && !foreign.empty()) {
        // A failure here after local copies were stored makes the client retry them all:
        // a duplicate in a mailbox is better than a lost relay message.
        DeliveryResult queued = co_await await_delivery([&](DeliveryCompletion done) {
            context.relay.enqueue(envelope.mail_from, foreign, event.message, std::move(done));
        });
        if (queued.status != smtp::DeliveryStatus::stored || result.id.empty()) {
            result = std::move(queued);
        }
    }
    co_return result;
}

// RFC 5322 3.3 date-time in UTC, for the Received: field: "Thu, 26 Nov 2026 17:04:32 +0000".
std::string received_date_now() {
    const std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    char text[64];
    // The C locale's %a and %b are the English names RFC 5322 requires.
    std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S +0000", &utc);
    return text;
}

const char* kind_name(smtp::ListenerKind kind) {
    switch (kind) {
        case smtp::ListenerKind::relay:
            return "smtp";
        case smtp::ListenerKind::submission:
            return "submission";
        case smtp::ListenerKind::smtps:
            return "smtps";
    }
    return "smtp";
}

asio::awaitable<void> SmtpHooks::other(smtp::Event& event) {
    if (faults != nullptr && faults->take_skip_delivery()) {
        label.write("fault: message not stored, its reply replaced");
        session.delivery_done(smtp::DeliveryStatus::temporary_failure);
        co_return;
    }
    const auto& message = std::get<smtp::DeliverEvent>(event);
    DeliveryResult result = co_await deliver(message, context);
    if (result.status == smtp::DeliveryStatus::stored) {
        label.write("accepted " + (result.id.empty() ? std::string("(discarded)") : result.id) +
                    " from <" + message.envelope.mail_from + "> for " +
                    std::to_string(message.envelope.recipients.size()) + " recipient(s), " +
                    std::to_string(message.message.size()) + " octets");
    } else {
        label.write("delivery failed: " + result.error);
    }
    session.delivery_done(result.status);
}

}  // namespace

// GCC 12 reports asio's coroutine frame allocator (aligned_new, freed through the frame's
// operator delete) as mismatched once run_session is inlined here: a known false positive.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
asio::awaitable<void> serve_smtp(asio::ip::tcp::socket socket, smtp::ListenerKind kind,
                                 ServerContext& context) {
    const Config& config = context.config;
    Transport transport(std::move(socket), context.tls);
    const SessionLabel label{context.log, context.log.next_session_name(kind_name(kind))};
    label.write("connect from " + transport.peer());

    smtp::SessionConfig session_config;
    session_config.hostname = config.hostname;
    session_config.kind = kind;
    session_config.tls_available = true;
    session_config.auth_requires_tls = config.auth_requires_tls;
    session_config.vrfy_enabled = config.vrfy_enabled;
    session_config.expn_enabled = config.expn_enabled;
    session_config.bare_line_ends = config.bare_line_ends;
    session_config.limits = config.limits;
    session_config.peer_address = transport.peer_address();
    session_config.received_date = received_date_now;
    LoggingPolicy policy(context.policy, label, context.auth_throttle, transport.peer_address());
    smtp::Session session(std::move(session_config), policy);
    const auto& timeouts = config.timeouts;
    const LoopSettings settings{timeouts.smtp_idle, timeouts.smtp_command, timeouts.smtp_data,
                                timeouts.tls_handshake,
                                std::chrono::steady_clock::now() + timeouts.session};
    const SessionStop stop(transport, context.stops);

    session.start();
    if (kind == smtp::ListenerKind::smtps) {
        if (!co_await start_implicit_tls(transport, settings, label)) {
            co_return;
        }
        session.tls_established();
    }
    const auto faults =
        context.faults != nullptr ? context.faults->session(FaultProtocol::smtp) : nullptr;
    SmtpHooks hooks{context, session, policy, *stop.signal, label, faults.get()};
    co_await run_session<SmtpEvents>(transport, session, settings, label, hooks);
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

}  // namespace mh::reference
