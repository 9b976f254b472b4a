#pragma once
// The connection loop shared by the SMTP and POP3 listeners: read -> session.put() -> drain
// session.next_event(). Writes, TLS upgrades and closes are handled here; any other event
// (SMTP's DeliverEvent) goes to `on_other`, which completes it before the loop goes on.

#include <boost/asio/awaitable.hpp>

#include <array>
#include <chrono>
#include <string>
#include <type_traits>
#include <variant>

#include "reference/server/log.hpp"
#include "reference/server/transport.hpp"

namespace mh::reference {

struct LoopSettings {
    std::chrono::seconds idle;           // between client bytes, and for each write
    std::chrono::seconds tls_handshake;  // STARTTLS / STLS / implicit TLS
};

struct SessionLabel {
    const EventLog& log;
    std::string name;  // "smtp#3"
    void write(std::string_view event) const { log.write(name, event); }
};

// Implicit TLS (RFC 8314): the handshake comes before any protocol byte. False (logged, and
// the connection closed) when it fails.
inline boost::asio::awaitable<bool> start_implicit_tls(Transport& transport,
                                                       const LoopSettings& settings,
                                                       const SessionLabel& label) {
    if (auto ec = co_await transport.handshake(settings.tls_handshake)) {
        label.write("TLS handshake failed: " + ec.message());
        co_await transport.close(settings.tls_handshake);
        co_return false;
    }
    label.write("TLS " + transport.tls_description());
    co_return true;
}

// Traits name the machine's event types: Event, Write, StartTls, Close.
template <typename Traits, typename Session, typename OnOther>
boost::asio::awaitable<void> run_session(Transport& transport, Session& session,
                                         const LoopSettings& settings, const SessionLabel& label,
                                         OnOther& on_other) {
    std::array<char, 16 * 1024> buffer{};
    std::string pending;  // bytes read but not yet taken by the machine (at most one read)
    bool eof = false;
    bool stalled = false;
    for (;;) {
        while (auto event = session.next_event()) {
            stalled = false;
            if (auto* write = std::get_if<typename Traits::Write>(&*event)) {
                if (auto ec = co_await transport.write(write->bytes, settings.idle)) {
                    label.write("write failed: " + ec.message());
                    co_await transport.close(settings.tls_handshake);
                    co_return;
                }
            } else if (std::holds_alternative<typename Traits::StartTls>(*event)) {
                if (auto ec = co_await transport.handshake(settings.tls_handshake)) {
                    label.write("TLS handshake failed: " + ec.message());
                    co_await transport.close(settings.tls_handshake);
                    co_return;
                }
                label.write("TLS " + transport.tls_description());
                session.tls_established();
            } else if (std::holds_alternative<typename Traits::Close>(*event)) {
                co_await transport.close(settings.tls_handshake);
                label.write("close");
                co_return;
            } else {
                co_await on_other(*event);
            }
        }
        if (!pending.empty()) {
            const std::size_t taken = session.put(pending);
            pending.erase(0, taken);
            if (taken == 0 && stalled) {
                label.write("close: the session takes no input and has nothing to do");
                break;
            }
            stalled = taken == 0;
            continue;
        }
        if (eof) {
            label.write("close: client went away");
            break;
        }
        auto [ec, n] = co_await transport.read_some(boost::asio::buffer(buffer), settings.idle);
        if (ec == boost::asio::error::timed_out) {
            label.write("idle timeout");
            session.timed_out();
        } else if (ec) {
            session.put_eof();
            eof = true;
        } else {
            pending.assign(buffer.data(), n);
        }
    }
    co_await transport.close(settings.tls_handshake);
}

}  // namespace mh::reference
