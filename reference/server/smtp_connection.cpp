#include "reference/server/smtp_connection.hpp"

#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <ctime>
#include <memory>
#include <set>

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
};

// Logs each AUTH outcome of one session, then defers to the server's policy.
class LoggingPolicy : public smtp::Policy {
  public:
    LoggingPolicy(smtp::Policy& inner, const SessionLabel& label) : inner_(inner), label_(label) {}

    smtp::RecipientVerdict verify_recipient(std::string_view address, bool authenticated) override {
        return inner_.verify_recipient(address, authenticated);
    }
    std::optional<std::string> authenticate(std::string_view authzid, std::string_view user,
                                            std::string_view password) override {
        auto account = inner_.authenticate(authzid, user, password);
        label_.write(account ? "auth ok as " + *account : "auth failed for " + std::string(user));
        return account;
    }
    std::optional<std::string> verify_address(std::string_view query) override {
        return inner_.verify_address(query);
    }

  private:
    smtp::Policy& inner_;
    const SessionLabel& label_;
};

asio::awaitable<DeliveryResult> deliver(const smtp::DeliverEvent& event, ServerContext& context) {
    std::vector<Placement> mailboxes;
    std::set<std::string> accounts;  // one copy per mailbox, however many addresses name it
    std::vector<std::string> foreign;
    const auto& envelope = event.envelope;
    for (std::size_t i = 0; i < envelope.recipients.size(); ++i) {
        const auto verdict =
            i < envelope.verdicts.size() ? envelope.verdicts[i] : smtp::RecipientVerdict::local;
        if (verdict == smtp::RecipientVerdict::relay) {
            foreign.push_back(envelope.recipients[i]);
        } else if (const Account* account = context.policy.mailbox_for(envelope.recipients[i])) {
            if (accounts.insert(account->name).second) {
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

}  // namespace

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
    LoggingPolicy policy(context.policy, label);
    smtp::Session session(std::move(session_config), policy);
    const LoopSettings settings{config.timeouts.smtp_idle, config.timeouts.tls_handshake};

    session.start();
    if (kind == smtp::ListenerKind::smtps) {
        if (!co_await start_implicit_tls(transport, settings, label)) {
            co_return;
        }
        session.tls_established();
    }
    auto on_deliver = [&](smtp::Event& event) -> asio::awaitable<void> {
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
    };
    co_await run_session<SmtpEvents>(transport, session, settings, label, on_deliver);
}

}  // namespace mh::reference
