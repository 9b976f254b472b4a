#include "harness/transport/connection.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>

#include "harness/transport/client_common.hpp"

namespace mh::harness::transport {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

Connection::Connection(TlsSettings tls, std::stop_token stop)
    : tls_settings_(std::move(tls)),
      stop_(std::move(stop)),
      ssl_context_(detail::client_context(tls_settings_)) {}

Connection::~Connection() {
    close();
}

bool Connection::run_until(const bool& done, Deadline deadline) {
    io_.restart();
    {
        // io_context::stop is thread-safe: it wakes run_one_until from the stopping thread.
        const std::stop_callback on_stop(stop_, [this] { io_.stop(); });
        while (!done && Clock::now() < deadline && !stop_.stop_requested()) {
            if (io_.run_one_until(deadline) == 0 && io_.stopped()) {
                break;
            }
        }
    }
    if (done) {
        return true;
    }
    boost::system::error_code ignored;
    if (stream_) {
        stream_->lowest_layer().cancel(ignored);
    }
    io_.restart();
    io_.run();  // lets the cancelled handler run, so nothing refers to this frame afterwards
    if (stop_.stop_requested()) {
        throw TransportError(TransportError::Kind::stopped, "stopped (interrupted)");
    }
    return false;
}

void Connection::open(const std::string& host, std::uint16_t port, bool implicit_tls,
                      Deadline deadline) {
    host_ = host;
    peer_ = host + ":" + std::to_string(port);
    const auto endpoints = detail::endpoints_for(io_, host, port);
    boost::system::error_code ec;
    stream_ = std::make_unique<asio::ssl::stream<tcp::socket>>(io_, *ssl_context_);
    bool done = false;
    asio::async_connect(stream_->next_layer(), endpoints,
                        [&](const boost::system::error_code& error, const tcp::endpoint&) {
                            ec = error;
                            done = true;
                        });
    const bool finished = run_until(done, deadline);
    detail::check_connect(peer_, finished, ec);
    stream_->next_layer().set_option(tcp::no_delay(true), ec);
    if (implicit_tls) {
        handshake(deadline);
    }
}

void Connection::handshake(Deadline deadline) {
    if (!stream_) {
        throw TransportError(TransportError::Kind::io, "TLS handshake on a closed connection");
    }
    detail::prepare_handshake(*stream_, tls_settings_, host_, peer_);
    boost::system::error_code ec;
    bool done = false;
    stream_->async_handshake(asio::ssl::stream_base::client,
                             [&](const boost::system::error_code& error) {
                                 ec = error;
                                 done = true;
                             });
    detail::check_handshake(run_until(done, deadline), ec);
    encrypted_ = true;
}

void Connection::write(std::string_view bytes, Deadline deadline) {
    if (!stream_) {
        throw TransportError(TransportError::Kind::io, "write on a closed connection");
    }
    boost::system::error_code ec;
    bool done = false;
    const auto handler = [&](const boost::system::error_code& error, std::size_t) {
        ec = error;
        done = true;
    };
    if (encrypted_) {
        asio::async_write(*stream_, asio::buffer(bytes.data(), bytes.size()), handler);
    } else {
        asio::async_write(stream_->next_layer(), asio::buffer(bytes.data(), bytes.size()), handler);
    }
    const bool finished = run_until(done, deadline);
    detail::check_write(bytes.size(), finished, ec);
}

Connection::ReadStatus Connection::read_some(std::string& out, std::size_t max, Deadline deadline) {
    if (!stream_) {
        return ReadStatus::closed;
    }
    const std::size_t old_size = out.size();
    out.resize(old_size + max);
    boost::system::error_code ec;
    std::size_t received = 0;
    bool done = false;
    const auto handler = [&](const boost::system::error_code& error, std::size_t n) {
        ec = error;
        received = n;
        done = true;
    };
    const auto buffer = asio::buffer(out.data() + old_size, max);
    if (encrypted_) {
        stream_->async_read_some(buffer, handler);
    } else {
        stream_->next_layer().async_read_some(buffer, handler);
    }
    const bool finished = run_until(done, deadline);
    out.resize(old_size + received);
    return detail::read_outcome(received, finished, ec);
}

void Connection::close() {
    if (!stream_) {
        return;
    }
    if (encrypted_) {
        detail::keep_session(stream_->native_handle(), tls_settings_, peer_);
    }
    boost::system::error_code ignored;
    stream_->lowest_layer().shutdown(tcp::socket::shutdown_both, ignored);
    stream_->lowest_layer().close(ignored);
    stream_.reset();
    encrypted_ = false;
}

}  // namespace mh::harness::transport
