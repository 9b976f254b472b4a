#include "reference/server/transport.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <tuple>

namespace mh::reference {

namespace asio = boost::asio;
using asio::awaitable;
using boost::system::error_code;

namespace {
constexpr auto token = asio::as_tuple(asio::use_awaitable);
}

Transport::Transport(asio::ip::tcp::socket socket, asio::ssl::context& tls)
    : stream_(std::move(socket), tls),
      timer_(stream_.get_executor()),
      owner_(std::make_shared<Owner>(Owner{this})) {
    error_code ec;
    // Replies are small and pipelined clients wait for them: do not let Nagle hold them back.
    stream_.next_layer().set_option(asio::ip::tcp::no_delay(true), ec);
    const auto remote = stream_.next_layer().remote_endpoint(ec);
    if (!ec) {
        peer_ = remote;
    }
}

Transport::~Transport() {
    owner_->transport = nullptr;  // a wait already due finds no transport; timer_ cancels the rest
}

void Transport::watch(StopSignal& stop) {
    stop.on_raise([this] { wake_read(); });
}

void Transport::start(Duration timeout) {
    busy_ = true;
    expired_ = false;
    woken_ = false;
    deadline_ = std::chrono::steady_clock::now() + timeout;
    // Deadlines mostly move forward: a wait that ends earlier just waits again when it fires.
    if (deadline_ < armed_) {
        wait_until(deadline_);
    }
}

error_code Transport::finish(error_code ec) {
    busy_ = false;
    reading_ = false;
    if (ec && expired_) {
        return asio::error::timed_out;
    }
    if (ec && woken_) {
        return asio::error::operation_aborted;
    }
    return ec;
}

void Transport::wait_until(TimePoint expiry) {
    armed_ = expiry;
    timer_.expires_at(expiry);  // a later wait still pending ends with operation_aborted
    timer_.async_wait([owner = owner_](const error_code& ec) {
        if (!ec && owner->transport != nullptr) {
            owner->transport->deadline_reached();
        }
    });
}

void Transport::deadline_reached() {
    armed_ = TimePoint::max();
    if (!busy_) {
        return;  // the next operation sets the timer again
    }
    if (std::chrono::steady_clock::now() < deadline_) {
        wait_until(deadline_);
        return;
    }
    expired_ = true;
    error_code ignored;
    stream_.next_layer().cancel(ignored);
}

void Transport::wake_read() {
    if (!reading_) {
        return;  // the session loop looks at the stop level before each read
    }
    woken_ = true;
    error_code ignored;
    stream_.next_layer().cancel(ignored);
}

awaitable<std::pair<error_code, std::size_t>> Transport::read_some(asio::mutable_buffer buffer,
                                                                   Duration timeout) {
    start(timeout);
    reading_ = true;
    auto [ec, n] = encrypted_ ? co_await stream_.async_read_some(buffer, token)
                              : co_await stream_.next_layer().async_read_some(buffer, token);
    co_return std::pair{finish(ec), n};
}

awaitable<error_code> Transport::write(std::string_view bytes, Duration timeout) {
    start(timeout);
    auto buffer = asio::buffer(bytes);
    auto [ec, n] = encrypted_ ? co_await asio::async_write(stream_, buffer, token)
                              : co_await asio::async_write(stream_.next_layer(), buffer, token);
    co_return finish(ec);
}

awaitable<error_code> Transport::handshake(Duration timeout) {
    start(timeout);
    auto [ec] = co_await stream_.async_handshake(asio::ssl::stream_base::server, token);
    ec = finish(ec);
    encrypted_ = !ec;
    co_return ec;
}

awaitable<error_code> Transport::client_handshake(const std::string& server_name, bool verify,
                                                  Duration timeout) {
    error_code ec;
    if (verify) {
        stream_.set_verify_mode(asio::ssl::verify_peer);
        stream_.set_verify_callback(asio::ssl::host_name_verification(server_name));
    }
    // SNI; a literal IP address is not a valid server name (RFC 6066 3).
    if (asio::ip::make_address(server_name, ec); ec) {
        // SSL_set_tlsext_host_name is a macro with a C cast; this is its expansion.
        SSL_ctrl(stream_.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                 const_cast<char*>(server_name.c_str()));
    }
    start(timeout);
    std::tie(ec) = co_await stream_.async_handshake(asio::ssl::stream_base::client, token);
    ec = finish(ec);
    encrypted_ = !ec;
    co_return ec;
}

awaitable<void> Transport::pause(Duration duration) {
    asio::steady_timer timer(stream_.get_executor(), duration);
    co_await timer.async_wait(token);
}

awaitable<void> Transport::close(Duration timeout) {
    if (encrypted_) {
        start(timeout);
        auto [ec] = co_await stream_.async_shutdown(token);
        finish(ec);
    }
    error_code ignored;
    stream_.next_layer().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    stream_.next_layer().close(ignored);
}

std::string Transport::peer() const {
    if (!peer_) {
        return "unknown";
    }
    const std::string address = peer_->address().to_string();
    return (peer_->address().is_v6() ? "[" + address + "]" : address) + ":" +
           std::to_string(peer_->port());
}

std::string Transport::peer_address() const {
    return peer_ ? peer_->address().to_string() : "unknown";
}

std::string Transport::tls_description() {
    SSL* ssl = stream_.native_handle();
    return std::string(SSL_get_version(ssl)) + " " + SSL_get_cipher_name(ssl);
}

}  // namespace mh::reference
