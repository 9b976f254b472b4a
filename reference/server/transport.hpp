#pragma once
// One accepted connection: a TCP socket that can be upgraded to TLS in place (STARTTLS / STLS)
// or start encrypted (RFC 8314). Every operation has its own deadline; a timeout comes back
// as boost::asio::error::timed_out; a read woken by the server stopping (watch()) comes back
// as boost::asio::error::operation_aborted.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>

#include <chrono>
#include <string>
#include <string_view>
#include <utility>

#include "reference/server/stop_signal.hpp"

namespace mh::reference {

class Transport {
  public:
    using Duration = std::chrono::steady_clock::duration;

    Transport(boost::asio::ip::tcp::socket socket, boost::asio::ssl::context& tls);

    // Reads also end when `stop` is raised; it must live as long as the transport.
    void watch(StopSignal& stop) { stop_ = &stop; }

    boost::asio::awaitable<std::pair<boost::system::error_code, std::size_t>> read_some(
        boost::asio::mutable_buffer buffer, Duration timeout);
    boost::asio::awaitable<boost::system::error_code> write(std::string_view bytes,
                                                            Duration timeout);
    // Server-side handshake; afterwards reads and writes go through TLS.
    boost::asio::awaitable<boost::system::error_code> handshake(Duration timeout);
    // Client-side handshake (the relay's STARTTLS): SNI for a host name, and with `verify` the
    // chain (per the context's trust anchors) and `server_name` are checked.
    boost::asio::awaitable<boost::system::error_code> client_handshake(
        const std::string& server_name, bool verify, Duration timeout);
    // Waits without holding a thread (a reply delay).
    boost::asio::awaitable<void> pause(Duration duration);
    // TLS close_notify when encrypted (bounded by `timeout`), then the socket is closed.
    boost::asio::awaitable<void> close(Duration timeout);

    bool encrypted() const { return encrypted_; }
    boost::asio::any_io_executor executor() { return stream_.get_executor(); }
    std::string peer() const;          // "ADDR:PORT" of the client
    std::string peer_address() const;  // ADDR only
    std::string tls_description();     // "TLSv1.3 TLS_AES_256_GCM_SHA384"

  private:
    boost::asio::ssl::stream<boost::asio::ip::tcp::socket> stream_;
    bool encrypted_ = false;
    StopSignal* stop_ = nullptr;
};

}  // namespace mh::reference
