#pragma once
// The connection loop shared by the SMTP and POP3 listeners: read -> session.put() -> drain
// session.next_event(). Writes, TLS upgrades and closes are handled here; any other event
// (SMTP's DeliverEvent) goes to `hooks.other`, which completes it before the loop goes on.
//
// Time limits: `idle` between client bytes, `command` from one reply to the next (a client
// trickling one byte a second still has to finish its command), `content` instead of
// `command` after a reply that opens message content (SMTP 354), and a deadline for the
// whole session. When one passes, the session is told (session.timed_out()) and says goodbye.
// When the server stops (hooks.stop), an idle session gets hooks.shutdown_reply() and closes;
// one receiving message content may finish until the server stops for good.

#include <boost/asio/awaitable.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <variant>

#include "reference/faults/session_faults.hpp"
#include "reference/server/log.hpp"
#include "reference/server/stop_signal.hpp"
#include "reference/server/transport.hpp"

namespace mh::reference {

struct LoopSettings {
    std::chrono::seconds idle;           // between client bytes, and for each write
    std::chrono::seconds command;        // from one reply to the next
    std::chrono::seconds content;        // from a reply that opens content to the next reply
    std::chrono::seconds tls_handshake;  // STARTTLS / STLS / implicit TLS
    std::chrono::steady_clock::time_point session_deadline;
};

// A session's part in the server stopping: registered while it lives, waking its reads.
// Declared after the transport, so it goes first and a late raise() finds no waker.
struct SessionStop {
    std::shared_ptr<StopSignal> signal;
    StopRegistry::Enrollment enrolled;

    SessionStop(Transport& transport, StopRegistry& registry)
        : signal(std::make_shared<StopSignal>(transport.executor())), enrolled(registry, signal) {
        transport.watch(*signal);
    }
    ~SessionStop() { signal->on_raise({}); }
    SessionStop(const SessionStop&) = delete;
    SessionStop& operator=(const SessionStop&) = delete;
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

// Traits name the machine's event types (Event, Write, StartTls, Close) and say whether a
// write opens message content (opens_content). Hooks give: awaitable<void> other(Event&) (for
// machines with more events), std::chrono::milliseconds reply_delay(), std::string
// shutdown_reply(), StopSignal& stop, SessionFaults* faults (null without --faults).
template <typename Traits, typename Session, typename Hooks>
boost::asio::awaitable<void> run_session(Transport& transport, Session& session,
                                         const LoopSettings& settings, const SessionLabel& label,
                                         Hooks& hooks) {
    using Clock = std::chrono::steady_clock;
    std::array<char, 16 * 1024> buffer{};
    std::string pending;  // bytes read but not yet taken by the machine (bounded: one read, plus
                          // a partial line the fault layer holds, at most 64 KiB)
    bool eof = false;
    bool stalled = false;
    bool in_content = false;
    bool timed_out = false;
    bool need_more = false;  // the fault layer waits for the rest of a command line
    SessionFaults* const faults = hooks.faults;
    if (faults != nullptr) {
        if (const FaultRule* rule = faults->on_connect()) {
            label.write("fault " + rule->where + " on the greeting");
            if (rule->action == FaultAction::delay) {
                co_await transport.pause(rule->delay);
            } else {  // any other greeting fault ends the session
                if (!rule->reply.empty()) {
                    co_await transport.write(rule->reply, settings.idle);
                }
                co_await transport.close(settings.tls_handshake);
                co_return;
            }
        }
    }
    auto reply_deadline = Clock::now() + settings.command;
    for (;;) {
        while (auto event = session.next_event()) {
            stalled = false;
            if (auto* write = std::get_if<typename Traits::Write>(&*event)) {
                if (const auto delay = hooks.reply_delay(); delay.count() > 0) {
                    co_await transport.pause(delay);
                }
                const auto replacement =
                    faults != nullptr ? faults->take_replacement() : std::nullopt;
                if (auto ec = co_await transport.write(replacement ? *replacement : write->bytes,
                                                       settings.idle)) {
                    label.write("write failed: " + ec.message());
                    co_await transport.close(settings.tls_handshake);
                    co_return;
                }
                in_content = Traits::opens_content(write->bytes);
                if (in_content && faults != nullptr) {
                    faults->content_opened();
                }
                reply_deadline = Clock::now() + (in_content ? settings.content : settings.command);
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
            } else if constexpr (std::variant_size_v<std::remove_cvref_t<decltype(*event)>> > 3) {
                co_await hooks.other(*event);  // only machines with more than the three above
            }
        }
        if (!pending.empty() && !need_more) {
            std::size_t offer = pending.size();
            if (faults != nullptr) {
                const auto step = faults->next(pending, eof);
                if (step.fault != nullptr) {
                    label.write("fault " + step.fault->where);
                    switch (step.fault->action) {
                        case FaultAction::delay:
                            co_await transport.pause(step.fault->delay);
                            continue;  // then the line goes to the session
                        case FaultAction::disconnect:
                            co_await transport.close(settings.tls_handshake);
                            co_return;
                        case FaultAction::reply:
                        case FaultAction::malformed:
                            if (step.line > 0) {  // else MESSAGE: the reply is replaced later
                                pending.erase(0, step.line);
                                co_await transport.write(step.fault->reply, settings.idle);
                                continue;
                            }
                    }
                }
                if (step.pass == 0) {
                    need_more = true;
                    continue;
                }
                offer = step.pass;
            }
            const std::size_t taken = session.put(std::string_view(pending).substr(0, offer));
            if (faults != nullptr) {
                faults->consumed(taken);
            }
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
        const StopLevel stop = hooks.stop.level();
        if (stop == StopLevel::now || (stop == StopLevel::drain && !in_content)) {
            label.write("close: server stopping");
            if (const std::string reply = hooks.shutdown_reply(); !reply.empty()) {
                co_await transport.write(reply, settings.tls_handshake);
            }
            break;
        }
        const auto now = Clock::now();
        const auto deadline = std::min(reply_deadline, settings.session_deadline);
        if (now >= deadline) {
            if (timed_out) {
                break;  // the session had its chance to say goodbye
            }
            label.write(deadline == settings.session_deadline ? "session time limit"
                                                              : "command timeout");
            session.timed_out();
            timed_out = true;
            continue;
        }
        const auto wait = std::min<Transport::Duration>(settings.idle, deadline - now);
        auto [ec, n] = co_await transport.read_some(boost::asio::buffer(buffer), wait);
        if (ec == boost::asio::error::timed_out) {
            if (timed_out) {
                break;
            }
            if (Clock::now() < deadline) {
                label.write("idle timeout");
                session.timed_out();
                timed_out = true;
            }  // else the deadline check above reports it
        } else if (ec == boost::asio::error::operation_aborted) {
            continue;  // the server is stopping: decided above
        } else if (ec) {
            session.put_eof();
            eof = true;
            need_more = false;
        } else {
            pending.append(buffer.data(), n);  // after a partial line held for the fault layer
            need_more = false;
        }
    }
    co_await transport.close(settings.tls_handshake);
}

}  // namespace mh::reference
