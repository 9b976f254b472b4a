#pragma once
// A loopback SMTP server for the bench tests: one connection at a time, answered line by line
// in the order the lines arrive (so a pipelined group gets its replies in order, RFC 2920 3.1),
// with rules that refuse chosen commands, close after a 421, or hold a reply back. It counts
// what arrived, so a test can tell whether the client stayed in step with it.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <thread>

namespace mh::harness::bench::testing {

struct SmtpTestRules {
    // The reply to `command` ("MAIL", "RCPT", "DATA", "RSET") of transaction `mail` (counted
    // by MAIL from 0, over all connections; an RSET counts with the MAIL after it), or "" for
    // the usual one. A 421 closes the
    // connection after it is sent.
    std::function<std::string(int mail, std::string_view command)> reply;
    // Called before the 250 that ends the content of message `message` (counted from 0).
    std::function<void(int message)> before_content_reply;
    // Hold the 250 after a message's content for up to this long, waiting for the client's next
    // line: one that comes in the meantime was written without waiting for the reply (counted
    // as `overlapped`).
    std::chrono::milliseconds wait_for_next_line{0};
};

class SmtpTestServer {
  public:
    explicit SmtpTestServer(SmtpTestRules rules = {}) : rules_(std::move(rules)) {
        listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address);
        ::listen(listener_, 8);
        socklen_t length = sizeof address;
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
        port_ = ntohs(address.sin_port);
        thread_ = std::thread([this] {
            for (int fd; (fd = ::accept(listener_, nullptr, nullptr)) >= 0;) {
                ++connections;
                const int on = 1;  // replies go out as they are made, like a real server's
                ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
                serve(fd);
                ::close(fd);
            }
        });
    }
    ~SmtpTestServer() {
        ::shutdown(listener_, SHUT_RDWR);  // ends the accept loop
        thread_.join();
        ::close(listener_);
    }
    std::uint16_t port() const { return port_; }

    std::atomic<int> connections{0};
    std::atomic<int> delivered{0};   // contents answered with 250
    std::atomic<int> empty{0};       // a single dot right after the 354
    std::atomic<int> resets{0};      // RSET commands
    std::atomic<int> overlapped{0};  // contents followed by a line before their 250 was sent

  private:
    void serve(int fd) {
        auto say = [fd](std::string_view text) {
            (void)::send(fd, text.data(), text.size(), MSG_NOSIGNAL);
        };
        say("220 test.server\r\n");
        std::string in;
        bool data = false;
        bool content_lines = false;
        int pending_content_reply = -1;  // a held-back 250 (wait_for_next_line)
        auto release = [&] {
            if (pending_content_reply >= 0)
                say("250 ok\r\n");
            pending_content_reply = -1;
        };
        char buffer[4096];
        for (;;) {
            const auto eol = in.find("\r\n");
            if (eol == std::string::npos) {
                if (pending_content_reply >= 0) {
                    pollfd p{fd, POLLIN, 0};
                    if (::poll(&p, 1, static_cast<int>(rules_.wait_for_next_line.count())) <= 0)
                        release();
                }
                const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
                if (n <= 0)
                    return;
                in.append(buffer, static_cast<std::size_t>(n));
                continue;
            }
            const std::string line = in.substr(0, eol);
            in.erase(0, eol + 2);
            if (pending_content_reply >= 0) {
                ++overlapped;
                release();
            }
            if (data) {
                if (line != ".") {
                    content_lines = true;
                    continue;
                }
                data = false;
                if (!content_lines) {
                    ++empty;
                    say("250 nothing sent\r\n");
                    continue;
                }
                const int message = delivered++;
                if (rules_.before_content_reply)
                    rules_.before_content_reply(message);
                if (rules_.wait_for_next_line.count() > 0)
                    pending_content_reply = message;
                else
                    say("250 ok\r\n");
                continue;
            }
            const std::string verb = line.substr(0, 4);
            if (verb == "QUIT") {
                say("221 bye\r\n");
                continue;
            }
            if (verb == "MAIL")
                ++mails_;
            if (verb == "RSET")
                ++resets;
            // An RSET belongs to the transaction it starts.
            const int mail = verb == "RSET" ? mails_ : mails_ - 1;
            std::string reply = rules_.reply ? rules_.reply(mail, verb) : std::string();
            if (reply.empty())
                reply = verb == "DATA"   ? "354 go ahead"
                        : verb == "EHLO" ? "250 PIPELINING"
                                         : "250 ok";
            say(reply + "\r\n");
            if (reply.starts_with("421")) {
                // Closes as a server does: no reset for the lines still unread, which could
                // destroy the 421 before the client reads it.
                ::shutdown(fd, SHUT_WR);
                while (::recv(fd, buffer, sizeof buffer, 0) > 0) {
                }
                return;
            }
            if (verb == "DATA" && reply.starts_with("354")) {
                data = true;
                content_lines = false;
            }
        }
    }

    SmtpTestRules rules_;
    int listener_ = -1;
    std::uint16_t port_ = 0;
    int mails_ = 0;
    std::thread thread_;
};

}  // namespace mh::harness::bench::testing
