#include "reference/server/pop3_connection.hpp"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <utility>

#include "proto/pop3/session.hpp"
#include "reference/server/session_loop.hpp"

namespace mh::reference {
namespace {

namespace asio = boost::asio;
namespace pop3 = proto::pop3;

struct Pop3Events {
    using Write = pop3::WriteEvent;
    using StartTls = pop3::StartTlsEvent;
    using Close = pop3::CloseEvent;
    static bool opens_content(std::string_view) { return false; }  // clients send commands only
};

// Logs each login outcome of one session and sets the delay of a failure's reply, then defers
// to the server's mailstore.
class LoggingMailstore : public pop3::Mailstore {
  public:
    LoggingMailstore(pop3::Mailstore& inner, const SessionLabel& label, AuthThrottle& throttle,
                     std::string peer)
        : inner_(inner), label_(label), throttle_(throttle), peer_(std::move(peer)) {}

    // The delay owed by the last failed login, once.
    std::chrono::milliseconds take_failure_delay() {
        return std::exchange(failure_delay_, std::chrono::milliseconds(0));
    }

    std::optional<std::string> authenticate(std::string_view user,
                                            std::string_view password) override {
        return logged(inner_.authenticate(user, password), user);
    }
    std::optional<std::string> authenticate_apop(std::string_view user, std::string_view timestamp,
                                                 std::string_view digest) override {
        return logged(inner_.authenticate_apop(user, timestamp, digest), user);
    }
    pop3::LockResult open(std::string_view account, std::unique_ptr<pop3::Maildrop>& out) override {
        const auto result = inner_.open(account, out);
        if (result == pop3::LockResult::locked) {
            label_.write("maildrop locked, " + std::to_string(out->messages().size()) +
                         " message(s)");
        } else {
            label_.write(result == pop3::LockResult::in_use ? "maildrop in use"
                                                            : "maildrop cannot be opened");
        }
        return result;
    }

  private:
    std::optional<std::string> logged(std::optional<std::string> account, std::string_view user) {
        label_.write(account ? "auth ok as " + *account : "auth failed for " + std::string(user));
        if (!account) {
            failure_delay_ = throttle_.failed(peer_);
        }
        return account;
    }

    pop3::Mailstore& inner_;
    const SessionLabel& label_;
    AuthThrottle& throttle_;
    std::string peer_;
    std::chrono::milliseconds failure_delay_{0};
};

struct Pop3Hooks {
    LoggingMailstore& mailstore;
    StopSignal& stop;
    SessionFaults* faults;

    std::chrono::milliseconds reply_delay() { return mailstore.take_failure_delay(); }
    // RFC 1939 has no unsolicited response: a stopping server just closes (no UPDATE state,
    // so nothing is deleted).
    std::string shutdown_reply() const { return {}; }
};

// RFC 1939 7: the APOP banner must differ for every greeting: "<pid.counter.time@host>".
std::string apop_timestamp(const std::string& hostname) {
    static std::atomic<unsigned long> counter{0};
    const auto now = std::chrono::duration_cast<std::chrono::microseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    return "<" + std::to_string(getpid()) + "." + std::to_string(++counter) + "." +
           std::to_string(now) + "@" + hostname + ">";
}

}  // namespace

// GCC 12 reports asio's coroutine frame allocator (aligned_new, freed through the frame's
// operator delete) as mismatched once run_session is inlined here: a known false positive.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
asio::awaitable<void> serve_pop3(asio::ip::tcp::socket socket, bool implicit_tls,
                                 ServerContext& context) {
    const Config& config = context.config;
    Transport transport(std::move(socket), context.tls);
    const SessionLabel label{context.log,
                             context.log.next_session_name(implicit_tls ? "pop3s" : "pop3")};
    label.write("connect from " + transport.peer());

    pop3::SessionConfig session_config;
    session_config.hostname = config.hostname;
    session_config.tls_available = true;
    session_config.implicit_tls = implicit_tls;
    session_config.login_requires_tls = config.auth_requires_tls;
    session_config.apop_timestamp = apop_timestamp(config.hostname);
    LoggingMailstore mailstore(context.mailstore, label, context.auth_throttle,
                               transport.peer_address());
    pop3::Session session(std::move(session_config), mailstore);
    const auto& timeouts = config.timeouts;
    const LoopSettings settings{timeouts.pop3_idle, timeouts.pop3_command, timeouts.pop3_command,
                                timeouts.tls_handshake,
                                std::chrono::steady_clock::now() + timeouts.session};
    const SessionStop stop(transport, context.stops);

    session.start();
    if (implicit_tls) {
        if (!co_await start_implicit_tls(transport, settings, label)) {
            co_return;
        }
        session.tls_established();
    }
    const auto faults =
        context.faults != nullptr ? context.faults->session(FaultProtocol::pop3) : nullptr;
    Pop3Hooks hooks{mailstore, *stop.signal, faults.get()};
    co_await run_session<Pop3Events>(transport, session, settings, label, hooks);
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

}  // namespace mh::reference
