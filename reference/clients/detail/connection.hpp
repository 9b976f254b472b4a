#pragma once
// The one place of the clients' network and TLS plumbing: a blocking TCP connection with a
// timeout on every operation, upgradable to TLS (STARTTLS / STLS) or encrypted from the start.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mh::reference::clients::detail {

struct TlsSettings {
    bool verify = true;   // check the certificate chain and the host name
    std::string ca_file;  // trust anchors; the system store when empty
};

class Connection {
  public:
    explicit Connection(std::chrono::milliseconds timeout);
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;
    ~Connection();

    // Throws ClientError(unreachable) naming host, port and the reason.
    void connect(const std::string& host, std::uint16_t port);
    // Client side of the handshake; `server_name` is used for SNI and name verification.
    void start_tls(const std::string& server_name, const TlsSettings& settings);
    void write(std::string_view bytes);
    // Some bytes, or "" when the server closed the connection.
    std::string read_some();
    bool encrypted() const { return tls_.has_value(); }
    void close();

  private:
    // Runs the io_context until `done` or the timeout; on timeout the socket is closed.
    void wait(const bool& done, const char* what);

    std::chrono::milliseconds timeout_;
    boost::asio::io_context io_;
    boost::asio::ip::tcp::socket socket_;
    std::optional<boost::asio::ssl::context> tls_context_;
    std::optional<boost::asio::ssl::stream<boost::asio::ip::tcp::socket&>> tls_;
    std::string peer_;  // "host:port" for messages
};

}  // namespace mh::reference::clients::detail
