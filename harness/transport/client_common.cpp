#include "harness/transport/client_common.hpp"

#include <openssl/ssl.h>

#include <map>
#include <mutex>
#include <tuple>

namespace mh::harness::transport::detail {

namespace asio = boost::asio;

namespace {

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
    return (tls.verify ? "verify " : "no-verify ") + std::string(tls.at_most_tls12 ? "1.2 " : "") +
           tls.ca.string() + " " + peer;
}

}  // namespace

std::shared_ptr<asio::ssl::context> client_context(const TlsSettings& tls) {
    static std::mutex mutex;
    static std::map<std::tuple<bool, bool, std::string>, std::shared_ptr<asio::ssl::context>>
        contexts;
    const std::lock_guard lock(mutex);
    auto& context = contexts[{tls.verify, tls.at_most_tls12, tls.ca.string()}];
    if (!context) {
        auto created = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
        if (tls.at_most_tls12 &&
            SSL_CTX_set_max_proto_version(created->native_handle(), TLS1_2_VERSION) != 1) {
            throw TransportError(TransportError::Kind::tls, "cannot limit TLS to 1.2");
        }
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

void prepare_handshake(asio::ssl::stream<asio::ip::tcp::socket>& stream, const TlsSettings& tls,
                       const std::string& host, const std::string& peer) {
    boost::system::error_code address_ec;
    asio::ip::make_address(host, address_ec);
    if (address_ec) {  // a name, not an address: send SNI
        // SSL_set_tlsext_host_name is a macro with a C cast; this is its expansion.
        SSL_ctrl(stream.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                 static_cast<void*>(const_cast<char*>(host.c_str())));
    }
    if (tls.verify) {
        stream.set_verify_callback(asio::ssl::host_name_verification(host));
    }
    if (tls.resume_sessions) {
        SessionCache::instance().offer(stream.native_handle(), session_key(tls, peer));
    }
}

void keep_session(SSL* ssl, const TlsSettings& tls, const std::string& peer) {
    if (tls.resume_sessions) {
        SessionCache::instance().keep(ssl, session_key(tls, peer));
    }
}

std::vector<asio::ip::tcp::endpoint> endpoints_for(asio::io_context& io, const std::string& host,
                                                   std::uint16_t port) {
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(host, ec);
    if (!ec) {
        return {asio::ip::tcp::endpoint(address, port)};
    }
    std::vector<asio::ip::tcp::endpoint> endpoints;
    asio::ip::tcp::resolver resolver(io);
    for (const auto& entry : resolver.resolve(host, std::to_string(port), ec)) {
        endpoints.push_back(entry.endpoint());
    }
    if (ec) {
        throw TransportError(TransportError::Kind::unreachable,
                             "cannot resolve " + host + ": " + ec.message());
    }
    return endpoints;
}

bool is_end_of_stream(const boost::system::error_code& ec) {
    return ec == asio::error::eof || ec == asio::error::connection_reset ||
           ec == asio::error::connection_aborted || ec == asio::error::broken_pipe ||
           ec == asio::ssl::error::stream_truncated;
}

Connection::ReadStatus read_outcome(std::size_t received, bool finished,
                                    const boost::system::error_code& ec) {
    using Status = Connection::ReadStatus;
    if (received > 0) {
        return Status::data;
    }
    if (!finished) {
        return Status::timeout;
    }
    if (ec == asio::error::connection_reset) {
        return Status::reset;
    }
    if (!ec || is_end_of_stream(ec)) {
        return Status::closed;
    }
    if (ec.category() == asio::error::get_ssl_category()) {
        throw TransportError(TransportError::Kind::io, "the TLS session failed: " + ec.message());
    }
    throw TransportError(TransportError::Kind::io, "read failed: " + ec.message());
}

void check_write(std::size_t size, bool finished, const boost::system::error_code& ec) {
    if (!finished) {
        throw TransportError(
            TransportError::Kind::timeout,
            "writing " + std::to_string(size) + " bytes timed out (the server reads no more)");
    }
    if (is_end_of_stream(ec)) {
        throw TransportError(TransportError::Kind::io,
                             "the server closed the connection while the harness was writing");
    }
    if (ec) {
        throw TransportError(TransportError::Kind::io, "write failed: " + ec.message());
    }
}

void check_connect(const std::string& peer, bool finished, const boost::system::error_code& ec) {
    if (!finished) {
        throw TransportError(TransportError::Kind::timeout, "connecting to " + peer + " timed out");
    }
    if (ec == asio::error::connection_refused) {
        throw TransportError(TransportError::Kind::refused, "connection to " + peer + " refused");
    }
    if (ec) {
        throw TransportError(TransportError::Kind::unreachable,
                             "cannot connect to " + peer + ": " + ec.message());
    }
}

void check_handshake(bool finished, const boost::system::error_code& ec) {
    if (!finished) {
        throw TransportError(TransportError::Kind::timeout, "the TLS handshake timed out");
    }
    if (ec) {
        throw TransportError(TransportError::Kind::tls,
                             "the TLS handshake failed: " + ec.message());
    }
}

}  // namespace mh::harness::transport::detail
