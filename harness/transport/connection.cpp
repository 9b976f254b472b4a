#include "harness/transport/connection.hpp"

#include <openssl/ssl.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>

#include <map>
#include <mutex>

namespace mh::harness::transport {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

bool is_end_of_stream(const boost::system::error_code& ec) {
    return ec == asio::error::eof || ec == asio::error::connection_reset ||
           ec == asio::error::connection_aborted || ec == asio::error::broken_pipe ||
           ec == asio::ssl::error::stream_truncated;
}

// One client context per distinct TlsSettings, created on first use and kept for the process
// (an SSL_CTX is safe to share between threads once configured).
std::shared_ptr<asio::ssl::context> client_context(const TlsSettings& tls) {
    static std::mutex mutex;
    static std::map<std::pair<bool, std::string>, std::shared_ptr<asio::ssl::context>> contexts;
    const std::lock_guard lock(mutex);
    auto& context = contexts[{tls.verify, tls.ca.string()}];
    if (!context) {
        auto created = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
        if (tls.verify) {
            created->set_verify_mode(asio::ssl::verify_peer);
            if (tls.ca.empty()) {
                created->set_default_verify_paths();
            } else {
                created->load_verify_file(tls.ca.string());
            }
        } else {
            created->set_verify_mode(asio::ssl::verify_none);
        }
        context = std::move(created);  // only once configured: a failure leaves no entry behind
    }
    return context;
}

// The last resumable session per server and TlsSettings, for TlsSettings::resume_sessions.
class SessionCache {
  public:
    static SessionCache& instance() {
        static SessionCache cache;
        return cache;
    }
    // Offers the stored session, if any, on `ssl` (before the handshake).
    void offer(SSL* ssl, const std::string& key) {
        const std::lock_guard lock(mutex_);
        const auto found = sessions_.find(key);
        if (found != sessions_.end()) {
            SSL_set_session(ssl, found->second.get());
        }
    }
    // Keeps the session `ssl` ended with (in TLS 1.3 the ticket arrives after the handshake).
    void keep(SSL* ssl, const std::string& key) {
        // A copy: OpenSSL marks the connection's own session not resumable when the
        // connection is freed without a TLS shutdown, as the fuzzer's connections are.
        const SSL_SESSION* current = SSL_get0_session(ssl);
        SessionPtr session(current != nullptr ? SSL_SESSION_dup(current) : nullptr);
        if (session && SSL_SESSION_is_resumable(session.get()) == 1) {
            const std::lock_guard lock(mutex_);
            sessions_[key] = std::move(session);
        }
    }

  private:
    struct SessionFree {
        void operator()(SSL_SESSION* session) const { SSL_SESSION_free(session); }
    };
    using SessionPtr = std::unique_ptr<SSL_SESSION, SessionFree>;
    std::mutex mutex_;
    std::map<std::string, SessionPtr> sessions_;
};

std::string session_key(const TlsSettings& tls, const std::string& peer) {
    return (tls.verify ? "verify " : "no-verify ") + tls.ca.string() + " " + peer;
}

}  // namespace

Connection::Connection(TlsSettings tls, std::stop_token stop)
    : tls_settings_(std::move(tls)),
      stop_(std::move(stop)),
      ssl_context_(client_context(tls_settings_)) {}

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
    boost::system::error_code ec;
    tcp::resolver resolver(io_);
    const auto endpoints = resolver.resolve(host, std::to_string(port), ec);
    if (ec) {
        throw TransportError(TransportError::Kind::unreachable,
                             "cannot resolve " + host + ": " + ec.message());
    }
    stream_ = std::make_unique<asio::ssl::stream<tcp::socket>>(io_, *ssl_context_);
    bool done = false;
    asio::async_connect(stream_->next_layer(), endpoints,
                        [&](const boost::system::error_code& error, const tcp::endpoint&) {
                            ec = error;
                            done = true;
                        });
    const std::string where = host + ":" + std::to_string(port);
    if (!run_until(done, deadline)) {
        throw TransportError(TransportError::Kind::timeout,
                             "connecting to " + where + " timed out");
    }
    if (ec == asio::error::connection_refused) {
        throw TransportError(TransportError::Kind::refused, "connection to " + where + " refused");
    }
    if (ec) {
        throw TransportError(TransportError::Kind::unreachable,
                             "cannot connect to " + where + ": " + ec.message());
    }
    stream_->next_layer().set_option(tcp::no_delay(true), ec);
    if (implicit_tls) {
        handshake(deadline);
    }
}

void Connection::handshake(Deadline deadline) {
    if (!stream_) {
        throw TransportError(TransportError::Kind::io, "TLS handshake on a closed connection");
    }
    boost::system::error_code address_ec;
    asio::ip::make_address(host_, address_ec);
    if (address_ec) {  // a name, not an address: send SNI
        // SSL_set_tlsext_host_name is a macro with a C cast; this is its expansion.
        SSL_ctrl(stream_->native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                 static_cast<void*>(const_cast<char*>(host_.c_str())));
    }
    if (tls_settings_.verify) {
        stream_->set_verify_callback(asio::ssl::host_name_verification(host_));
    }
    if (tls_settings_.resume_sessions) {
        SessionCache::instance().offer(stream_->native_handle(), session_key(tls_settings_, peer_));
    }
    boost::system::error_code ec;
    bool done = false;
    stream_->async_handshake(asio::ssl::stream_base::client,
                             [&](const boost::system::error_code& error) {
                                 ec = error;
                                 done = true;
                             });
    if (!run_until(done, deadline)) {
        throw TransportError(TransportError::Kind::timeout, "the TLS handshake timed out");
    }
    if (ec) {
        throw TransportError(TransportError::Kind::tls,
                             "the TLS handshake failed: " + ec.message());
    }
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
    if (!run_until(done, deadline)) {
        throw TransportError(TransportError::Kind::timeout,
                             "writing " + std::to_string(bytes.size()) +
                                 " bytes timed out (the server reads no more)");
    }
    if (is_end_of_stream(ec)) {
        throw TransportError(TransportError::Kind::io,
                             "the server closed the connection while the harness was writing");
    }
    if (ec) {
        throw TransportError(TransportError::Kind::io, "write failed: " + ec.message());
    }
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
    if (received > 0) {
        return ReadStatus::data;
    }
    if (!finished) {
        return ReadStatus::timeout;
    }
    if (ec == asio::error::connection_reset) {
        return ReadStatus::reset;
    }
    if (!ec || is_end_of_stream(ec)) {
        return ReadStatus::closed;
    }
    if (ec.category() == asio::error::get_ssl_category()) {
        throw TransportError(TransportError::Kind::io, "the TLS session failed: " + ec.message());
    }
    throw TransportError(TransportError::Kind::io, "read failed: " + ec.message());
}

void Connection::close() {
    if (!stream_) {
        return;
    }
    if (encrypted_ && tls_settings_.resume_sessions) {
        SessionCache::instance().keep(stream_->native_handle(), session_key(tls_settings_, peer_));
    }
    boost::system::error_code ignored;
    stream_->lowest_layer().shutdown(tcp::socket::shutdown_both, ignored);
    stream_->lowest_layer().close(ignored);
    stream_.reset();
    encrypted_ = false;
}

}  // namespace mh::harness::transport
