#pragma once
// A client connection to the server under test: plain TCP, implicit TLS, or TLS started later
// (STARTTLS / STLS). Blocking calls, each bounded by a deadline: the caller's thread runs a
// private io_context until the operation completes or the deadline passes (then it is
// cancelled). One Connection per thread at a time; no shared state between connections.
// A stop request (Ctrl-C) cancels the operation under way and every later one at once.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <string_view>

namespace mh::harness::transport {

using Clock = std::chrono::steady_clock;
using Deadline = Clock::time_point;

struct TlsSettings {
    bool verify = false;       // check the certificate chain and the host name
    std::filesystem::path ca;  // trust this CA file (else the system's store) when verifying
    // Offer the session of the last handshake with the same server (TLS resumption: no
    // certificate, no signature). For callers that test what follows the handshake, not the
    // handshake itself (the network fuzzer).
    bool resume_sessions = false;
    // At most TLS 1.2, where resuming a session is an abbreviated handshake without a key
    // exchange (a TLS 1.3 resumption still makes and agrees an ECDHE key on both sides). For
    // the same callers.
    bool at_most_tls12 = false;
};

class TransportError : public std::runtime_error {
  public:
    enum class Kind { refused, unreachable, timeout, tls, io, stopped };
    TransportError(Kind kind, const std::string& what) : std::runtime_error(what), kind_(kind) {}
    Kind kind() const { return kind_; }

  private:
    Kind kind_;
};

class Connection {
  public:
    // `stop`: when it is requested, operations throw TransportError{Kind::stopped}.
    explicit Connection(TlsSettings tls, std::stop_token stop = {});
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // Resolves and connects; with implicit_tls the handshake follows at once.
    void open(const std::string& host, std::uint16_t port, bool implicit_tls, Deadline deadline);
    // Client side of the TLS handshake on the open connection (after STARTTLS / STLS).
    void handshake(Deadline deadline);
    bool encrypted() const { return encrypted_; }

    void write(std::string_view bytes, Deadline deadline);

    enum class ReadStatus { data, closed, reset, timeout };
    // Appends what arrives (at most `max` bytes) to `out`; closed at end of stream, reset on a
    // TCP reset. A TLS failure (an alert, a record that does not authenticate) throws.
    ReadStatus read_some(std::string& out, std::size_t max, Deadline deadline);

    void close();

  private:
    // Runs the io_context until `done` or the deadline; on the deadline cancels and returns false.
    // On a stop request cancels and throws.
    bool run_until(const bool& done, Deadline deadline);

    TlsSettings tls_settings_;
    std::stop_token stop_;
    std::string host_;
    std::string peer_;  // "host:port", for the session cache
    boost::asio::io_context io_;
    // Shared by every connection with the same TlsSettings: creating an OpenSSL 3 context
    // costs ~0.4 ms, more than a whole plaintext conversation on loopback.
    std::shared_ptr<boost::asio::ssl::context> ssl_context_;
    std::unique_ptr<boost::asio::ssl::stream<boost::asio::ip::tcp::socket>> stream_;
    bool encrypted_ = false;
};

}  // namespace mh::harness::transport
