#include "harness/transport/async_connection.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <vector>

#include "harness/transport/client_common.hpp"

namespace mh::harness::transport {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {
constexpr auto with_error = asio::as_tuple(asio::use_awaitable);
}

AsyncConnection::AsyncConnection(asio::io_context& io, TlsSettings tls)
    : io_(io),
      tls_settings_(std::move(tls)),
      ssl_context_(detail::client_context(tls_settings_)),
      timer_(io) {}

AsyncConnection::~AsyncConnection() {
    close();
}

void AsyncConnection::arm(Deadline deadline) {
    deadline_ = deadline;
    armed_ = true;
    expired_ = false;
    if (!waiting_ || deadline_ < timer_.expiry()) {
        timer_.expires_at(deadline_);  // cancels the wait for a later deadline, if any
        wait_for_deadline();
    }
}

void AsyncConnection::wait_for_deadline() {
    waiting_ = true;
    timer_.async_wait([this, alive = std::weak_ptr<bool>(alive_)](boost::system::error_code ec) {
        if (ec || alive.expired()) {
            return;  // cancelled by close(), or this connection is gone
        }
        waiting_ = false;
        if (!armed_) {
            return;
        }
        if (Clock::now() < deadline_) {
            timer_.expires_at(deadline_);
            wait_for_deadline();
            return;
        }
        expired_ = true;
        if (is_open()) {
            boost::system::error_code ignored;
            socket().cancel(ignored);
        }
    });
}

bool AsyncConnection::disarm() {
    armed_ = false;
    return std::exchange(expired_, false);
}

asio::awaitable<void> AsyncConnection::open(const std::string& host, std::uint16_t port,
                                            bool implicit_tls, Deadline deadline) {
    host_ = host;
    peer_ = host + ":" + std::to_string(port);
    const std::vector<tcp::endpoint> endpoints = detail::endpoints_for(io_, host, port);
    boost::system::error_code ec;
    tls_.reset();
    socket_.emplace(io_);
    arm(deadline);
    std::tie(ec, std::ignore) = co_await asio::async_connect(*socket_, endpoints, with_error);
    detail::check_connect(peer_, !disarm(), ec);
    socket_->set_option(tcp::no_delay(true), ec);
    if (implicit_tls) {
        co_await handshake(deadline);
    }
}

asio::awaitable<void> AsyncConnection::handshake(Deadline deadline) {
    if (!is_open()) {
        throw TransportError(TransportError::Kind::io, "TLS handshake on a closed connection");
    }
    if (!tls_) {
        tls_ = std::make_unique<asio::ssl::stream<tcp::socket>>(std::move(*socket_), *ssl_context_);
        socket_.reset();
    }
    detail::prepare_handshake(*tls_, tls_settings_, host_, peer_);
    arm(deadline);
    const auto [ec] = co_await tls_->async_handshake(asio::ssl::stream_base::client, with_error);
    detail::check_handshake(!disarm(), ec);
    encrypted_ = true;
}

asio::awaitable<void> AsyncConnection::write(std::string_view bytes, Deadline deadline) {
    if (!is_open()) {
        throw TransportError(TransportError::Kind::io, "write on a closed connection");
    }
    const auto buffer = asio::buffer(bytes.data(), bytes.size());
    arm(deadline);
    const auto [ec, written] = encrypted_
                                   ? co_await asio::async_write(*tls_, buffer, with_error)
                                   : co_await asio::async_write(socket(), buffer, with_error);
    detail::check_write(bytes.size(), !disarm(), ec);
}

asio::awaitable<Connection::ReadStatus> AsyncConnection::read_some(std::string& out,
                                                                   Deadline deadline) {
    if (!is_open()) {
        co_return Connection::ReadStatus::closed;
    }
    const auto buffer = asio::buffer(chunk_);
    arm(deadline);
    const auto [ec, received] = encrypted_ ? co_await tls_->async_read_some(buffer, with_error)
                                           : co_await socket().async_read_some(buffer, with_error);
    const bool expired = disarm();
    out.append(chunk_.data(), received);
    co_return detail::read_outcome(received, !expired, ec);
}

void AsyncConnection::close() {
    armed_ = false;
    if (waiting_) {
        timer_.cancel();
        waiting_ = false;
    }
    if (!is_open()) {
        return;
    }
    if (encrypted_) {
        detail::keep_session(tls_->native_handle(), tls_settings_, peer_);
    }
    boost::system::error_code ignored;
    socket().close(ignored);
    tls_.reset();
    socket_.reset();
    encrypted_ = false;
}

}  // namespace mh::harness::transport
