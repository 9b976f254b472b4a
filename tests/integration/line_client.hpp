#pragma once
// A blocking test client that speaks in lines over TCP, optionally TLS (implicit or after
// STARTTLS / STLS): send a command, read an SMTP reply (all its lines) or one POP3 line, see
// the server close. Plain POSIX sockets and OpenSSL, so it depends on nothing under test.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace mh::integration {

// Milliseconds since `start`: how long the server took to act, in the limit and timeout tests.
inline std::chrono::milliseconds since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 start);
}

class LineClient {
  public:
    using Duration = std::chrono::milliseconds;

    explicit LineClient(std::uint16_t port, bool implicit_tls = false) {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
            close();
            throw std::runtime_error("cannot connect to 127.0.0.1:" + std::to_string(port));
        }
        if (implicit_tls) {
            starttls();
        }
    }
    ~LineClient() { close(); }
    LineClient(const LineClient&) = delete;
    LineClient& operator=(const LineClient&) = delete;

    void send(std::string_view bytes) {
        while (!bytes.empty()) {
            const long n = ssl_ != nullptr
                               ? SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size()))
                               : ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
            if (n <= 0) {
                return;  // the server closed: the next read says so
            }
            bytes.remove_prefix(static_cast<std::size_t>(n));
        }
    }
    // Client side of the TLS handshake (no certificate check: the server's is self-signed).
    // Anything the server sent in plaintext and the client did not read is dropped.
    // `legacy_only` offers TLS 1.0 and 1.1 only, which the server must refuse.
    void starttls(bool legacy_only = false) {
        context_ = SSL_CTX_new(TLS_client_method());
        if (legacy_only) {
            SSL_CTX_set_min_proto_version(context_, TLS1_VERSION);
            SSL_CTX_set_max_proto_version(context_, TLS1_1_VERSION);
            SSL_CTX_set_security_level(context_, 0);
        }
        ssl_ = SSL_new(context_);
        SSL_set_fd(ssl_, fd_);
        buffer_.clear();
        handshake_ok_ = SSL_connect(ssl_) == 1;
    }
    bool handshake_ok() const { return handshake_ok_; }

    // One line without its CRLF; nullopt when the server closed or nothing came in time.
    std::optional<std::string> next_line(Duration timeout = Duration(5000)) {
        const auto until = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            if (const auto end = buffer_.find("\r\n"); end != std::string::npos) {
                std::string out = buffer_.substr(0, end);
                buffer_.erase(0, end + 2);
                return out;
            }
            if (!read_more(until)) {
                return std::nullopt;
            }
        }
    }
    // The same, with "" for nothing.
    std::string line(Duration timeout = Duration(5000)) { return next_line(timeout).value_or(""); }
    // An SMTP reply: its last line ("250 2.0.0 Ok"), after any "250-" continuation lines.
    std::string reply(Duration timeout = Duration(5000)) {
        for (;;) {
            std::string text = line(timeout);
            if (text.size() < 4 || text[3] != '-') {
                return text;
            }
        }
    }
    std::string command(std::string_view text, Duration timeout = Duration(5000)) {
        send(std::string(text) + "\r\n");
        return reply(timeout);
    }
    // True when the server closes the connection within `timeout` (pending lines are dropped).
    bool closed(Duration timeout = Duration(5000)) {
        const auto until = std::chrono::steady_clock::now() + timeout;
        while (read_more(until)) {
            buffer_.clear();
        }
        return closed_;
    }
    void close() {
        if (ssl_ != nullptr) {
            SSL_free(ssl_);
            ssl_ = nullptr;
        }
        if (context_ != nullptr) {
            SSL_CTX_free(context_);
            context_ = nullptr;
        }
        if (fd_ >= 0) {
            ::close(fd_);
            fd_ = -1;
        }
    }

  private:
    // Appends what arrives; false at the deadline or when the server closed (closed_ set).
    bool read_more(std::chrono::steady_clock::time_point until) {
        if (fd_ < 0 || closed_) {
            return false;
        }
        if (ssl_ == nullptr || SSL_pending(ssl_) == 0) {
            const auto left =
                std::chrono::duration_cast<Duration>(until - std::chrono::steady_clock::now());
            pollfd p{fd_, POLLIN, 0};
            if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
                return false;
            }
        }
        char chunk[16384];
        const long n = ssl_ != nullptr ? SSL_read(ssl_, chunk, sizeof chunk)
                                       : ::recv(fd_, chunk, sizeof chunk, 0);
        if (n <= 0) {
            closed_ = true;
            return false;
        }
        buffer_.append(chunk, static_cast<std::size_t>(n));
        return true;
    }

    int fd_ = -1;
    SSL_CTX* context_ = nullptr;
    SSL* ssl_ = nullptr;
    bool handshake_ok_ = false;
    bool closed_ = false;
    std::string buffer_;
};

// One SMTP transaction on a greeted session: MAIL, RCPT, DATA, `content` (CRLF lines, no
// final dot). Returns the reply to the final dot, or the first reply that was not positive.
inline std::string send_mail(LineClient& client, const std::string& recipient,
                             const std::string& content) {
    for (const std::string& command : {std::string("MAIL FROM:<sender@client.example.test>"),
                                       "RCPT TO:<" + recipient + ">", std::string("DATA")}) {
        if (std::string reply = client.command(command); reply.empty() || reply[0] > '3') {
            return reply;
        }
    }
    return client.command(content + ".");
}

// A whole session: greeting, EHLO, one transaction, QUIT. Returns the reply to the final dot.
inline std::string send_mail(std::uint16_t port, const std::string& recipient,
                             const std::string& content) {
    LineClient client(port);
    client.reply();
    client.command("EHLO client.example.test");
    std::string reply = send_mail(client, recipient, content);
    client.command("QUIT");
    return reply;
}

}  // namespace mh::integration
