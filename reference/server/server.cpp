#include "reference/server/server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <exception>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

#include "reference/config/accounts.hpp"
#include "reference/faults/session_faults.hpp"
#include "reference/relay/maildir_queue.hpp"
#include "reference/relay/relay.hpp"
#include "reference/server/admission.hpp"
#include "reference/server/auth_throttle.hpp"
#include "reference/server/context.hpp"
#include "reference/server/pop3_connection.hpp"
#include "reference/server/smtp_connection.hpp"
#include "reference/server/stop_signal.hpp"
#include "reference/server/tls.hpp"
#include "reference/server/transport.hpp"

namespace mh::reference {

namespace asio = boost::asio;
using asio::ip::tcp;

const char* to_string(Service service) {
    switch (service) {
        case Service::smtp:
            return "smtp";
        case Service::submission:
            return "submission";
        case Service::smtps:
            return "smtps";
        case Service::pop3:
            return "pop3";
        case Service::pop3s:
            return "pop3s";
    }
    return "unknown";
}

// Member order matters for destruction: connections still parked in the io_context reference
// the context objects above it, and the committer posts completions into the io_context, so
// it is drained (reset) before the io_context goes.
struct Server::Impl {
    Config config;
    AccountDirectory accounts;
    ConfigPolicy policy;
    MaildirMailstore mailstore;
    asio::ssl::context tls;
    EventLog log;
    Admission admission;
    AuthThrottle auth_throttle;
    StopRegistry stops;
    std::unique_ptr<FaultInjector> faults;
    asio::io_context io;
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
    std::unique_ptr<GroupCommitter> committer;
    std::unique_ptr<MaildirRelayQueue> relay;
    std::unique_ptr<Relay> relay_engine;  // drains the queue when relay routes are configured
    std::optional<ServerContext> context;
    std::vector<tcp::acceptor> acceptors;
    std::vector<BoundListener> bound;
    std::vector<std::thread> threads;
    std::atomic<std::size_t> active{0};
    std::once_flag stopped;

    explicit Impl(Config c)
        : config(std::move(c)),
          accounts(config.accounts, config.domains),
          policy(accounts, config.vrfy_enabled),
          mailstore(config.maildir, accounts),
          tls(make_server_tls_context(config.tls_cert, config.tls_key, config.hostname)),
          log(config.quiet),
          admission(config.server_limits.connections, config.server_limits.connections_per_address),
          auth_throttle(config.server_limits.auth_failure_delay,
                        config.server_limits.auth_failure_delay_max,
                        config.server_limits.auth_failure_forget_after) {
        std::filesystem::create_directories(config.maildir);
        if (!config.faults.rules.empty()) {
            faults = std::make_unique<FaultInjector>(config.faults);
        }
        committer = std::make_unique<GroupCommitter>(
            !config.durable ? Durability::discard
                            : (config.fsync ? Durability::durable : Durability::unsynced));
        // Account names cannot start with '.', so the queue never collides with a mailbox.
        relay = std::make_unique<MaildirRelayQueue>(config.maildir / ".relay-queue", *committer);
        if (config.relay.enabled()) {
            relay_engine = std::make_unique<Relay>(
                Relay::Parts{config, policy, *committer, *relay, log},
                std::make_unique<RouteTable>(config.relay.routes, config.relay.smarthost));
        }
        context.emplace(ServerContext{config, accounts, policy, *committer, *relay, mailstore, tls,
                                      log, auth_throttle, stops, faults.get()});
        const auto& l = config.listeners;
        for (auto [service, endpoints] :
             {std::pair{Service::smtp, &l.smtp}, std::pair{Service::submission, &l.submission},
              std::pair{Service::smtps, &l.smtps}, std::pair{Service::pop3, &l.pop3},
              std::pair{Service::pop3s, &l.pop3s}}) {
            for (const Endpoint& endpoint : *endpoints) {
                listen(service, endpoint);
            }
        }
    }

    void listen(Service service, const Endpoint& endpoint) {
        const tcp::endpoint address(asio::ip::make_address(endpoint.address), endpoint.port);
        // Each acceptor on its own strand: stop() closes it from another thread.
        tcp::acceptor acceptor(asio::make_strand(io));
        boost::system::error_code ec;
        acceptor.open(address.protocol(), ec);
        if (!ec) {
            acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
        }
        if (!ec && address.address().is_v6()) {
            // [::]:25 next to 0.0.0.0:25 must not collide through v4-mapped addresses.
            acceptor.set_option(asio::ip::v6_only(true), ec);
        }
        if (!ec) {
            acceptor.bind(address, ec);
        }
        if (!ec) {
            acceptor.listen(asio::socket_base::max_listen_connections, ec);
        }
        if (ec) {
            throw std::runtime_error(std::string("cannot listen on ") + to_string(service) + " " +
                                     endpoint.to_string() + ": " + ec.message());
        }
        const tcp::endpoint local = acceptor.local_endpoint();
        bound.push_back({service, Endpoint{local.address().to_string(), local.port()}});
        acceptors.push_back(std::move(acceptor));
    }

    // Over a connection limit: a temporary refusal in the service's words, then close. Implicit
    // TLS listeners just close (a plaintext line would be noise to a TLS client).
    asio::awaitable<void> refuse(tcp::socket socket, Service service, Admission::Verdict why) {
        Transport transport(std::move(socket), tls);
        const std::string peer = transport.peer();
        const std::string reason = why == Admission::Verdict::server_full
                                       ? "too many connections"
                                       : "too many connections from your address";
        log.write(to_string(service), "refused " + peer + ": " + reason);
        std::string reply;
        if (service == Service::smtp || service == Service::submission) {
            reply = "421 4.7.0 " + config.hostname + " Service not available, " + reason +
                    ", try again later\r\n";
        } else if (service == Service::pop3) {
            reply = "-ERR [SYS/TEMP] " + reason + ", try again later\r\n";  // RFC 3206 4
        }
        if (!reply.empty()) {
            co_await transport.write(reply, std::chrono::seconds(5));
        }
        co_await transport.close(std::chrono::seconds(1));
    }

    asio::awaitable<void> serve(tcp::socket socket, tcp::endpoint remote, Service service) {
        Admission::Ticket ticket;
        const auto verdict = admission.admit(remote.address().to_string(), ticket);
        if (verdict != Admission::Verdict::admitted) {
            co_await refuse(std::move(socket), service, verdict);
            co_return;
        }
        struct Count {
            std::atomic<std::size_t>& n;
            explicit Count(std::atomic<std::size_t>& counter) : n(counter) { ++n; }
            ~Count() { --n; }
            Count(const Count&) = delete;
            Count& operator=(const Count&) = delete;
        } count(active);
        switch (service) {
            case Service::smtp:
                co_await serve_smtp(std::move(socket), proto::smtp::ListenerKind::relay, *context);
                break;
            case Service::submission:
                co_await serve_smtp(std::move(socket), proto::smtp::ListenerKind::submission,
                                    *context);
                break;
            case Service::smtps:
                co_await serve_smtp(std::move(socket), proto::smtp::ListenerKind::smtps, *context);
                break;
            case Service::pop3:
                co_await serve_pop3(std::move(socket), false, *context);
                break;
            case Service::pop3s:
                co_await serve_pop3(std::move(socket), true, *context);
                break;
        }
    }

    void wait_for_sessions(std::chrono::milliseconds limit) const {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        while (active.load() > 0 && std::chrono::steady_clock::now() < deadline &&
               !threads.empty()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }

    asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, Service service) {
        for (;;) {
            tcp::endpoint remote;  // from accept(), not a getpeername() per connection
            auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(io), remote,
                                                               asio::as_tuple(asio::use_awaitable));
            if (ec == asio::error::operation_aborted || !acceptor.is_open()) {
                co_return;
            }
            if (ec) {
                // Out of descriptors and the like: say so, breathe, keep serving.
                log.write(to_string(service), "accept failed: " + ec.message());
                asio::steady_timer pause(acceptor.get_executor(), std::chrono::milliseconds(100));
                co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
                continue;
            }
            auto executor = socket.get_executor();
            asio::co_spawn(executor, serve(std::move(socket), remote, service),
                           [this, service](const std::exception_ptr& error) {
                               if (!error) {
                                   return;
                               }
                               try {
                                   std::rethrow_exception(error);
                               } catch (const std::exception& e) {
                                   log.write(to_string(service),
                                             std::string("session aborted: ") + e.what());
                               }
                           });
        }
    }
};

Server::Server(Config config) : impl_(std::make_unique<Impl>(std::move(config))) {}

Server::~Server() {
    stop(std::chrono::milliseconds(0));
}

void Server::start() {
    Impl& d = *impl_;
    if (!d.threads.empty()) {
        return;
    }
    d.work.emplace(d.io.get_executor());
    for (std::size_t i = 0; i < d.acceptors.size(); ++i) {
        asio::co_spawn(d.acceptors[i].get_executor(),
                       d.accept_loop(d.acceptors[i], d.bound[i].service), asio::detached);
    }
    unsigned count = d.config.threads != 0 ? d.config.threads : std::thread::hardware_concurrency();
    for (unsigned i = 0; i < std::max(count, 1U); ++i) {
        d.threads.emplace_back([&d] { d.io.run(); });
    }
    if (d.relay_engine) {
        d.relay_engine->start();
    }
}

void Server::stop(std::chrono::milliseconds grace) {
    Impl& d = *impl_;
    std::call_once(d.stopped, [&] {
        if (d.relay_engine) {
            d.relay_engine->stop();  // attempts in flight stay queued for the next start
        }
        for (auto& acceptor : d.acceptors) {
            asio::post(acceptor.get_executor(), [&acceptor] {
                boost::system::error_code ignored;
                acceptor.close(ignored);
            });
        }
        // Idle sessions say goodbye now; busy ones may finish within the grace period, then
        // every session is told to close, and gets a moment to do so.
        d.stops.raise_all(StopLevel::drain);
        d.wait_for_sessions(grace);
        d.stops.raise_all(StopLevel::now);
        d.wait_for_sessions(std::chrono::seconds(2));
        d.work.reset();
        d.io.stop();
        for (auto& thread : d.threads) {
            thread.join();
        }
        d.committer.reset();  // finishes in-flight commits while the io_context still exists
    });
}

const std::vector<BoundListener>& Server::listeners() const {
    return impl_->bound;
}
const Config& Server::config() const {
    return impl_->config;
}
std::size_t Server::active_sessions() const {
    return impl_->active.load();
}

}  // namespace mh::reference
