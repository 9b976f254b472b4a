#include "reference/clients/detail/connection.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/write.hpp>

#include <openssl/ssl.h>

#include <array>

#include "reference/clients/client_error.hpp"

namespace mh::reference::clients::detail {

namespace asio = boost::asio;
using boost::system::error_code;

Connection::Connection(std::chrono::milliseconds timeout) : timeout_(timeout), socket_(io_) {}

Connection::~Connection() {
    close();
}

void Connection::close() {
    error_code ignored;
    socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
}

void Connection::wait(const bool& done, const char* what) {
    io_.restart();
    io_.run_for(timeout_);
    if (!done) {
        close();  // cancels the operation; run its handler before going on
        io_.restart();
        io_.run();
        throw ClientError(ExitCode::unreachable, std::string("timed out ") + what + " " + peer_ +
                                                     " after " + std::to_string(timeout_.count()) +
                                                     " ms");
    }
}

void Connection::connect(const std::string& host, std::uint16_t port) {
    peer_ = host + ":" + std::to_string(port);
    asio::ip::tcp::resolver resolver(io_);
    error_code ec;
    const auto endpoints = resolver.resolve(host, std::to_string(port), ec);
    if (ec) {
        throw ClientError(ExitCode::unreachable, "cannot resolve " + host + ": " + ec.message());
    }
    bool done = false;
    asio::async_connect(socket_, endpoints, [&](const error_code& e, const auto&) {
        ec = e;
        done = true;
    });
    wait(done, "connecting to");
    if (ec) {
        throw ClientError(ExitCode::unreachable,
                          "cannot connect to " + peer_ + ": " + ec.message());
    }
}

void Connection::start_tls(const std::string& server_name, const TlsSettings& settings) {
    tls_context_.emplace(asio::ssl::context::tls_client);
    auto& context = *tls_context_;
    context.set_options(asio::ssl::context::no_sslv2 | asio::ssl::context::no_sslv3 |
                        asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
    error_code ec;
    if (settings.verify) {
        if (settings.ca_file.empty()) {
            context.set_default_verify_paths(ec);
        } else {
            context.load_verify_file(settings.ca_file, ec);
        }
        if (ec) {
            throw ClientError(ExitCode::usage, "cannot load trust anchors " + settings.ca_file +
                                                   ": " + ec.message());
        }
        context.set_verify_mode(asio::ssl::verify_peer);
        context.set_verify_callback(asio::ssl::host_name_verification(server_name));
    } else {
        context.set_verify_mode(asio::ssl::verify_none);
    }
    tls_.emplace(socket_, context);
    // SNI; a literal IP address is not a valid server name (RFC 6066 3).
    error_code address_ec;
    asio::ip::make_address(server_name, address_ec);
    if (address_ec) {
        // SSL_set_tlsext_host_name is a macro with a C cast; this is its expansion.
        SSL_ctrl(tls_->native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                 const_cast<char*>(server_name.c_str()));
    }
    bool done = false;
    tls_->async_handshake(asio::ssl::stream_base::client, [&](const error_code& e) {
        ec = e;
        done = true;
    });
    wait(done, "in the TLS handshake with");
    if (ec) {
        std::string reason = ec.message();
        if (settings.verify) {
            reason += " (for a self-signed certificate use --insecure or --ca FILE)";
        }
        throw ClientError(ExitCode::unreachable,
                          "TLS handshake with " + peer_ + " failed: " + reason);
    }
}

void Connection::write(std::string_view bytes) {
    error_code ec;
    bool done = false;
    auto handler = [&](const error_code& e, std::size_t) {
        ec = e;
        done = true;
    };
    if (tls_) {
        asio::async_write(*tls_, asio::buffer(bytes), handler);
    } else {
        asio::async_write(socket_, asio::buffer(bytes), handler);
    }
    wait(done, "writing to");
    if (ec) {
        throw ClientError(ExitCode::protocol,
                          "connection to " + peer_ + " lost while writing: " + ec.message());
    }
}

std::string Connection::read_some() {
    std::array<char, 16384> buffer{};
    error_code ec;
    std::size_t received = 0;
    bool done = false;
    auto handler = [&](const error_code& e, std::size_t n) {
        ec = e;
        received = n;
        done = true;
    };
    if (tls_) {
        tls_->async_read_some(asio::buffer(buffer), handler);
    } else {
        socket_.async_read_some(asio::buffer(buffer), handler);
    }
    wait(done, "waiting for");
    if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) {
        return {};
    }
    if (ec) {
        throw ClientError(ExitCode::protocol,
                          "connection to " + peer_ + " lost while reading: " + ec.message());
    }
    return std::string(buffer.data(), received);
}

}  // namespace mh::reference::clients::detail
