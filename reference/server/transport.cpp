#include "reference/server/transport.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <tuple>

namespace mh::reference {

namespace asio = boost::asio;
using asio::awaitable;
using boost::system::error_code;
using namespace asio::experimental::awaitable_operators;

namespace {
constexpr auto token = asio::as_tuple(asio::use_awaitable);
}

Transport::Transport(asio::ip::tcp::socket socket, asio::ssl::context& tls)
    : stream_(std::move(socket), tls) {
    error_code ignored;
    // Replies are small and pipelined clients wait for them: do not let Nagle hold them back.
    stream_.next_layer().set_option(asio::ip::tcp::no_delay(true), ignored);
}

awaitable<std::pair<error_code, std::size_t>> Transport::read_some(asio::mutable_buffer buffer,
                                                                   Duration timeout) {
    asio::steady_timer timer(stream_.get_executor(), timeout);
    // Without a stop signal, a wait that never ends stands in for it.
    asio::steady_timer never(stream_.get_executor(), asio::steady_timer::time_point::max());
    asio::steady_timer& stop = stop_ != nullptr ? stop_->wake() : never;
    auto result = encrypted_ ? co_await (stream_.async_read_some(buffer, token) ||
                                         timer.async_wait(token) || stop.async_wait(token))
                             : co_await (stream_.next_layer().async_read_some(buffer, token) ||
                                         timer.async_wait(token) || stop.async_wait(token));
    if (result.index() == 1) {
        co_return std::pair{error_code(asio::error::timed_out), std::size_t{0}};
    }
    if (result.index() == 2) {
        co_return std::pair{error_code(asio::error::operation_aborted), std::size_t{0}};
    }
    auto [ec, n] = std::get<0>(result);
    co_return std::pair{ec, n};
}

awaitable<error_code> Transport::write(std::string_view bytes, Duration timeout) {
    asio::steady_timer timer(stream_.get_executor(), timeout);
    auto buffer = asio::buffer(bytes);
    auto result =
        encrypted_ ? co_await (asio::async_write(stream_, buffer, token) || timer.async_wait(token))
                   : co_await (asio::async_write(stream_.next_layer(), buffer, token) ||
                               timer.async_wait(token));
    if (result.index() == 1) {
        co_return error_code(asio::error::timed_out);
    }
    co_return std::get<0>(std::get<0>(result));
}

awaitable<error_code> Transport::handshake(Duration timeout) {
    asio::steady_timer timer(stream_.get_executor(), timeout);
    auto result = co_await (stream_.async_handshake(asio::ssl::stream_base::server, token) ||
                            timer.async_wait(token));
    if (result.index() == 1) {
        co_return error_code(asio::error::timed_out);
    }
    auto [ec] = std::get<0>(result);
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
    asio::steady_timer timer(stream_.get_executor(), timeout);
    auto result = co_await (stream_.async_handshake(asio::ssl::stream_base::client, token) ||
                            timer.async_wait(token));
    if (result.index() == 1) {
        co_return error_code(asio::error::timed_out);
    }
    std::tie(ec) = std::get<0>(result);
    encrypted_ = !ec;
    co_return ec;
}

awaitable<void> Transport::pause(Duration duration) {
    asio::steady_timer timer(stream_.get_executor(), duration);
    co_await timer.async_wait(token);
}

awaitable<void> Transport::close(Duration timeout) {
    if (encrypted_) {
        asio::steady_timer timer(stream_.get_executor(), timeout);
        co_await (stream_.async_shutdown(token) || timer.async_wait(token));
    }
    error_code ignored;
    stream_.next_layer().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    stream_.next_layer().close(ignored);
}

std::string Transport::peer() const {
    error_code ec;
    auto endpoint = stream_.next_layer().remote_endpoint(ec);
    if (ec) {
        return "unknown";
    }
    const std::string address = endpoint.address().to_string();
    return (endpoint.address().is_v6() ? "[" + address + "]" : address) + ":" +
           std::to_string(endpoint.port());
}

std::string Transport::peer_address() const {
    error_code ec;
    auto endpoint = stream_.next_layer().remote_endpoint(ec);
    return ec ? "unknown" : endpoint.address().to_string();
}

std::string Transport::tls_description() {
    SSL* ssl = stream_.native_handle();
    return std::string(SSL_get_version(ssl)) + " " + SSL_get_cipher_name(ssl);
}

}  // namespace mh::reference
