#include "reference/server/pop3_connection.hpp"

#include <unistd.h>

#include <atomic>
#include <chrono>

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
    pop3::Session session(std::move(session_config), context.mailstore);
    const LoopSettings settings{config.timeouts.pop3_idle, config.timeouts.tls_handshake};

    session.start();
    if (implicit_tls) {
        if (!co_await start_implicit_tls(transport, settings, label)) {
            co_return;
        }
        session.tls_established();
    }
    // POP3 has no events beyond write, TLS and close.
    auto no_other = [](pop3::Event&) -> asio::awaitable<void> { co_return; };
    co_await run_session<Pop3Events>(transport, session, settings, label, no_other);
}

}  // namespace mh::reference
