#include "harness/record/proxy.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <chrono>
#include <csignal>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <tuple>

namespace mh::harness::record {

namespace {

namespace asio = boost::asio;
using asio::awaitable;
using asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;
constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);

// How long the proxy waits for the server to close after the client did (the server's last
// reply, e.g. to QUIT, is still recorded).
constexpr std::chrono::seconds close_grace{5};

// One side of a proxied connection: plain TCP until TLS starts on it.
class Side {
  public:
    Side(tcp::socket socket, asio::ssl::context& tls) : stream_(std::move(socket), tls) {}

    awaitable<std::size_t> read(std::array<char, 16384>& buffer) {
        auto [ec, n] =
            tls_ ? co_await stream_.async_read_some(asio::buffer(buffer), nothrow)
                 : co_await stream_.next_layer().async_read_some(asio::buffer(buffer), nothrow);
        co_return ec ? 0 : n;
    }
    awaitable<bool> write(std::string_view bytes) {
        auto [ec, n] =
            tls_ ? co_await asio::async_write(stream_, asio::buffer(bytes), nothrow)
                 : co_await asio::async_write(stream_.next_layer(), asio::buffer(bytes), nothrow);
        co_return !ec;
    }
    awaitable<bool> handshake(asio::ssl::stream_base::handshake_type type) {
        auto [ec] = co_await stream_.async_handshake(type, nothrow);
        tls_ = !ec;
        co_return !ec;
    }
    void set_server_name(const std::string& host) {
        boost::system::error_code ec;
        asio::ip::make_address(host, ec);
        if (ec) {  // SNI carries names only (RFC 6066 3)
            // SSL_set_tlsext_host_name is a macro with a C cast; this is its expansion.
            SSL_ctrl(stream_.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME,
                     TLSEXT_NAMETYPE_host_name, const_cast<char*>(host.c_str()));
        }
    }
    void shutdown_send() {
        boost::system::error_code ec;
        stream_.next_layer().shutdown(tcp::socket::shutdown_send, ec);
    }
    void close() {
        boost::system::error_code ec;
        stream_.next_layer().close(ec);
    }

  private:
    asio::ssl::stream<tcp::socket> stream_;
    bool tls_ = false;
};

struct ProxySession {
    ProxySession(const asio::any_io_executor& executor, tcp::socket client_socket,
                 tcp::socket upstream_socket, asio::ssl::context& server_tls,
                 asio::ssl::context& client_tls, const ProxyOptions& options)
        : recorder(options.protocol, options.limits),
          client(std::move(client_socket), server_tls),
          upstream(std::move(upstream_socket), client_tls),
          tls_gate(executor),
          grace(executor) {}

    Recorder recorder;
    Side client, upstream;
    asio::steady_timer tls_gate;  // holds the client's bytes while STARTTLS is answered
    asio::steady_timer grace;     // bounds the wait for the server after the client closed
    bool tls_switching = false;   // the handshakes of an accepted STARTTLS are under way
    bool client_paused = false;
    bool server_done = false;
    bool tls_failed = false;
};

// Client to server. After STARTTLS / STLS it stops reading until the answer is relayed (and
// the handshakes are done when it was positive): the client's next bytes are a ClientHello.
awaitable<void> client_to_server(std::shared_ptr<ProxySession> s) {
    std::array<char, 16384> buffer;
    for (;;) {
        const std::size_t n = co_await s->client.read(buffer);
        if (n == 0) {
            break;
        }
        const std::string_view bytes(buffer.data(), n);
        s->recorder.client_bytes(bytes);
        if (!co_await s->upstream.write(bytes)) {
            break;
        }
        if (s->recorder.awaiting_tls_reply() || s->tls_switching) {
            s->client_paused = true;
            s->tls_gate.expires_at(asio::steady_timer::time_point::max());
            co_await s->tls_gate.async_wait(nothrow);
            s->client_paused = false;
            if (s->server_done || s->tls_failed) {
                break;
            }
        }
    }
    if (!s->server_done) {  // let the server answer what it has and close
        s->upstream.shutdown_send();
        s->grace.expires_after(close_grace);
        co_await s->grace.async_wait(nothrow);
        s->upstream.close();
    }
}

// Server to client; on a positive answer to STARTTLS / STLS, both TLS handshakes.
awaitable<void> server_to_client(std::shared_ptr<ProxySession> s, std::string upstream_host,
                                 std::function<void(const std::string&)> log) {
    std::array<char, 16384> buffer;
    for (;;) {
        const std::size_t n = co_await s->upstream.read(buffer);
        if (n == 0) {
            break;
        }
        const std::string_view bytes(buffer.data(), n);
        const bool start_tls = s->recorder.server_bytes(bytes);
        s->tls_switching = start_tls;
        if (!co_await s->client.write(bytes)) {
            break;
        }
        if (start_tls) {
            s->upstream.set_server_name(upstream_host);
            const bool upstream_ok = co_await s->upstream.handshake(asio::ssl::stream_base::client);
            const bool client_ok =
                upstream_ok && co_await s->client.handshake(asio::ssl::stream_base::server);
            s->tls_switching = false;
            if (!client_ok) {
                log(upstream_ok ? "TLS handshake with the client failed"
                                : "TLS handshake with the upstream server failed");
                s->tls_failed = true;
                s->tls_gate.cancel();
                break;
            }
            log("TLS started on both sides");
        }
        if (s->client_paused && !s->tls_switching && !s->recorder.awaiting_tls_reply()) {
            s->tls_gate.cancel();
        }
    }
    s->server_done = true;
    s->tls_gate.cancel();
    s->grace.cancel();
    s->client.close();
    s->upstream.close();
}

class Proxy {
  public:
    Proxy(const ProxyOptions& options, asio::ssl::context& server_tls)
        : options_(options),
          server_tls_(server_tls),
          client_tls_(asio::ssl::context::tls_client),
          acceptor_(io_),
          signals_(io_, SIGINT, SIGTERM) {
        client_tls_.set_verify_mode(asio::ssl::verify_none);
    }

    std::vector<Session> run() {
        const tcp::endpoint endpoint(asio::ip::make_address(options_.listen_host),
                                     options_.listen_port);
        acceptor_.open(endpoint.protocol());
        acceptor_.set_option(tcp::acceptor::reuse_address(true));
        acceptor_.bind(endpoint);
        acceptor_.listen();
        if (options_.on_listening) {
            const auto bound = acceptor_.local_endpoint();
            options_.on_listening(bound.address().to_string() + ":" + std::to_string(bound.port()));
        }
        signals_.async_wait([this](const boost::system::error_code& ec, int) {
            if (!ec) {
                log(0, "stopping on a signal: open sessions are cut");
                stop();
            }
        });
        asio::co_spawn(io_, accept_loop(), asio::detached);
        io_.run();
        std::vector<Session> sessions;
        for (auto& session : sessions_) {
            if (session) {
                sessions.push_back(std::move(*session));
            }
        }
        return sessions;
    }

  private:
    void log(std::size_t number, const std::string& line) const {
        if (options_.log) {
            options_.log(number == 0 ? line : "session " + std::to_string(number) + ": " + line);
        }
    }

    void stop() {
        stopping_ = true;
        boost::system::error_code ec;
        acceptor_.close(ec);
        signals_.cancel();
        for (auto& weak : open_) {
            if (auto session = weak.lock()) {
                session->client.close();
                session->upstream.close();
                session->tls_gate.cancel();
                session->grace.cancel();
            }
        }
    }

    awaitable<void> accept_loop() {
        while (!stopping_) {
            auto [ec, socket] = co_await acceptor_.async_accept(nothrow);
            if (ec) {
                break;
            }
            sessions_.emplace_back();
            asio::co_spawn(io_, proxy_session(std::move(socket), sessions_.size()), asio::detached);
        }
    }

    awaitable<void> proxy_session(tcp::socket client_socket, std::size_t number) {
        boost::system::error_code ignored;
        const auto peer = client_socket.remote_endpoint(ignored);
        log(number, "client " + peer.address().to_string() + ":" + std::to_string(peer.port()));
        tcp::resolver resolver(io_);
        auto [resolve_error, results] = co_await resolver.async_resolve(
            options_.upstream_host, std::to_string(options_.upstream_port), nothrow);
        tcp::socket upstream_socket(io_);
        boost::system::error_code connect_error = resolve_error;
        if (!resolve_error) {
            std::tie(connect_error, std::ignore) =
                co_await asio::async_connect(upstream_socket, results, nothrow);
        }
        if (connect_error) {
            log(number, "cannot connect to the upstream " + options_.upstream_host + ":" +
                            std::to_string(options_.upstream_port) + ": " +
                            connect_error.message());
            client_socket.close(ignored);
            finished(number, std::nullopt);
            co_return;
        }
        auto session = std::make_shared<ProxySession>(io_.get_executor(), std::move(client_socket),
                                                      std::move(upstream_socket), server_tls_,
                                                      client_tls_, options_);
        open_.push_back(session);
        co_await (client_to_server(session) &&
                  server_to_client(session, options_.upstream_host,
                                   [this, number](const std::string& line) { log(number, line); }));
        Session recorded = session->recorder.finish();
        log(number, "ended: " + std::to_string(recorded.steps.size()) + " steps recorded");
        finished(number, std::move(recorded));
    }

    void finished(std::size_t number, std::optional<Session> session) {
        sessions_[number - 1] = std::move(session);
        ++ended_;
        if (options_.sessions != 0 && ended_ >= options_.sessions && !stopping_) {
            stop();
        }
    }

    const ProxyOptions& options_;
    asio::ssl::context& server_tls_;
    asio::ssl::context client_tls_;
    asio::io_context io_;
    tcp::acceptor acceptor_;
    asio::signal_set signals_;
    std::vector<std::optional<Session>> sessions_;  // by accept order; empty until it ends
    std::vector<std::weak_ptr<ProxySession>> open_;
    std::size_t ended_ = 0;
    bool stopping_ = false;
};

}  // namespace

std::vector<Session> run_proxy(const ProxyOptions& options,
                               boost::asio::ssl::context& client_side_tls) {
    try {
        return Proxy(options, client_side_tls).run();
    } catch (const boost::system::system_error& e) {
        throw std::runtime_error("cannot listen on " + options.listen_host + ":" +
                                 std::to_string(options.listen_port) + ": " + e.code().message());
    }
}

}  // namespace mh::harness::record
