#pragma once
// What the blocking and the asynchronous client connections share: one OpenSSL client context
// per TlsSettings, the TLS session cache for TlsSettings::resume_sessions, and what the
// outcome of a connect, read or write means (the same errors and messages for both).

#include <boost/asio/ssl.hpp>
#include <boost/system/error_code.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "harness/transport/connection.hpp"

namespace mh::harness::transport::detail {

// Created on first use and kept for the process (an SSL_CTX is safe to share between threads
// once configured): creating one costs ~0.4 ms with OpenSSL 3.
std::shared_ptr<boost::asio::ssl::context> client_context(const TlsSettings& tls);

// SNI for a host name (nothing for an address), the verification callback when verifying, and
// the stored session of `peer` ("host:port") when resuming: what precedes a client handshake.
void prepare_handshake(boost::asio::ssl::stream<boost::asio::ip::tcp::socket>& stream,
                       const TlsSettings& tls, const std::string& host, const std::string& peer);

// Keeps the session the connection ended with for the next handshake with `peer`.
void keep_session(SSL* ssl, const TlsSettings& tls, const std::string& peer);

// Where to connect for `host`: an address as it is, a name through the resolver. An address
// skips the resolver because getaddrinfo asks the kernel for the machine's interfaces (a
// netlink socket) on every call. Throws TransportError (unreachable) when a name does not resolve.
std::vector<boost::asio::ip::tcp::endpoint> endpoints_for(boost::asio::io_context& io,
                                                          const std::string& host,
                                                          std::uint16_t port);

bool is_end_of_stream(const boost::system::error_code& ec);

// What a read that got `received` bytes and `ec` means (`finished`: before its deadline);
// throws TransportError for a failure.
Connection::ReadStatus read_outcome(std::size_t received, bool finished,
                                    const boost::system::error_code& ec);
// Throws TransportError unless a write of `size` bytes succeeded.
void check_write(std::size_t size, bool finished, const boost::system::error_code& ec);
// Throws TransportError unless connecting to `peer` succeeded.
void check_connect(const std::string& peer, bool finished, const boost::system::error_code& ec);
// Throws TransportError unless the TLS handshake succeeded.
void check_handshake(bool finished, const boost::system::error_code& ec);

}  // namespace mh::harness::transport::detail
