#pragma once
// One accepted connection: a TCP socket that can be upgraded to TLS in place (STARTTLS / STLS)
// or start encrypted (RFC 8314). Every operation has its own deadline; a timeout comes back
// as boost::asio::error::timed_out; a read woken by the server stopping (watch()) comes back
// as boost::asio::error::operation_aborted.
//
// The deadlines share one timer per connection: an operation only records when it must end,
// and the timer, when it fires, either cancels the socket (that deadline has passed) or waits
// again until the current one. Racing each operation against a timer of its own costs a timer,
// a parallel_group and its cancellation signals per read and write: about 10 % of the
// server's CPU per message (docs/performance.md). The socket's executor must run one handler
// at a time (a strand, or an io_context run by one thread): the timer's handler and the
// operations share state.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "reference/server/stop_signal.hpp"

namespace mh::reference {

class Transport {
  public:
    using Duration = std::chrono::steady_clock::duration;

    Transport(boost::asio::ip::tcp::socket socket, boost::asio::ssl::context& tls);
    ~Transport();
    Transport(const Transport&) = delete;
    Transport& operator=(const Transport&) = delete;

    // Reads also end when `stop` is raised. The caller clears the signal's waker
    // (StopSignal::on_raise({})) before the transport goes.
    void watch(StopSignal& stop);

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
    using TimePoint = std::chrono::steady_clock::time_point;
    // What the timer's pending wait refers to; outlives the transport if the wait does.
    struct Owner {
        Transport* transport;
    };

    // An operation with `timeout` starts / has ended with `ec`; finish() maps a cancellation
    // to timed_out (the deadline passed) or leaves operation_aborted (woken by a stop).
    void start(Duration timeout);
    boost::system::error_code finish(boost::system::error_code ec);
    void wait_until(TimePoint expiry);
    void deadline_reached();
    void wake_read();  // the server is stopping

    boost::asio::ssl::stream<boost::asio::ip::tcp::socket> stream_;
    boost::asio::steady_timer timer_;
    std::shared_ptr<Owner> owner_;
    TimePoint deadline_ = TimePoint::max();  // of the operation in progress
    TimePoint armed_ = TimePoint::max();     // expiry of the timer's pending wait; max: none
    bool busy_ = false;                      // an operation is in progress
    bool reading_ = false;                   // ... and it is a read
    bool expired_ = false;                   // the deadline cancelled it
    bool woken_ = false;                     // the stop signal cancelled it
    bool encrypted_ = false;
    // The client's address, asked once (the log, admission and policies ask for it again).
    std::optional<boost::asio::ip::tcp::endpoint> peer_;
};

}  // namespace mh::reference
