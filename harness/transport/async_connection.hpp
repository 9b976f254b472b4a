#pragma once
// The asynchronous twin of Connection for C++20 coroutines: many of them share one io_context
// (one thread), so that a client waiting for a reply on one connection works on another
// meanwhile (the network fuzzer's conversations in flight). Each operation is bounded by a
// deadline: past it the socket's pending operation is cancelled. Errors as Connection's.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "harness/transport/connection.hpp"

namespace mh::harness::transport {

class AsyncConnection {
  public:
    AsyncConnection(boost::asio::io_context& io, TlsSettings tls);
    ~AsyncConnection();
    AsyncConnection(const AsyncConnection&) = delete;
    AsyncConnection& operator=(const AsyncConnection&) = delete;

    // Connects; with implicit_tls the handshake follows at once. A host name is resolved
    // blocking (an address is not resolved at all).
    boost::asio::awaitable<void> open(const std::string& host, std::uint16_t port,
                                      bool implicit_tls, Deadline deadline);
    boost::asio::awaitable<void> handshake(Deadline deadline);
    bool encrypted() const { return encrypted_; }
    boost::asio::awaitable<void> write(std::string_view bytes, Deadline deadline);
    // Appends what arrives to `out` (one read, at most the internal buffer's size).
    boost::asio::awaitable<Connection::ReadStatus> read_some(std::string& out, Deadline deadline);
    // Closes at once (no TCP shutdown first: close sends the FIN itself).
    void close();

  private:
    // Cancels the socket's operation at `deadline` unless disarm() comes first. One timer wait
    // serves many operations: a later deadline leaves it alone (it then waits again for the
    // newest one when it fires), so operations with the same timeout update no timer.
    void arm(Deadline deadline);
    void wait_for_deadline();
    // True when the deadline had passed (the operation was cancelled for it).
    bool disarm();
    bool is_open() const { return socket_ || tls_; }
    boost::asio::ip::tcp::socket& socket() { return tls_ ? tls_->next_layer() : *socket_; }

    boost::asio::io_context& io_;
    TlsSettings tls_settings_;
    std::string host_;
    std::string peer_;  // "host:port", for the session cache
    std::shared_ptr<boost::asio::ssl::context> ssl_context_;
    // The socket, plain until the handshake moves it into tls_: a connection that never starts
    // TLS creates no SSL object (SSL_new and SSL_free cost more than a plaintext exchange).
    std::optional<boost::asio::ip::tcp::socket> socket_;
    std::unique_ptr<boost::asio::ssl::stream<boost::asio::ip::tcp::socket>> tls_;
    boost::asio::steady_timer timer_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // for the timer's handler
    Deadline deadline_{};
    bool waiting_ = false;  // a timer wait is pending
    bool armed_ = false;    // an operation is bounded by deadline_
    bool expired_ = false;
    bool encrypted_ = false;
    std::array<char, 16384> chunk_{};
};

}  // namespace mh::harness::transport
