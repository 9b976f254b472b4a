#pragma once
// A next hop whose replies a test scripts: a plain SMTP listener on 127.0.0.1 (no STARTTLS)
// that answers each command line with respond(connection number, line) and records what it
// received, messages included. Runs on its own thread until destroyed.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace mh::integration {

class ScriptedSmtpHop {
  public:
    // Returns the full reply ("250 ok\r\n"); `connection` counts from 1.
    using Respond = std::function<std::string(int connection, const std::string& line)>;

    explicit ScriptedSmtpHop(Respond respond, std::uint16_t port = 0)
        : respond_(std::move(respond)),
          acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), port}) {
        port_ = acceptor_.local_endpoint().port();
        thread_ = std::thread([this] { serve(); });
    }
    ~ScriptedSmtpHop() {
        stopping_ = true;
        boost::system::error_code ignored;
        boost::asio::ip::tcp::socket wake(io_);
        wake.connect({boost::asio::ip::make_address("127.0.0.1"), port_}, ignored);
        thread_.join();
    }
    ScriptedSmtpHop(const ScriptedSmtpHop&) = delete;
    ScriptedSmtpHop& operator=(const ScriptedSmtpHop&) = delete;

    std::uint16_t port() const { return port_; }
    int connections() const { return connections_; }
    std::vector<std::string> messages() const {
        std::lock_guard lock(mutex_);
        return messages_;
    }
    std::vector<std::string> commands() const {
        std::lock_guard lock(mutex_);
        return commands_;
    }

  private:
    void serve() {
        while (!stopping_) {
            boost::asio::ip::tcp::socket socket(io_);
            boost::system::error_code ec;
            acceptor_.accept(socket, ec);
            if (ec || stopping_) {
                return;
            }
            session(socket, ++connections_);
        }
    }

    void session(boost::asio::ip::tcp::socket& socket, int connection) {
        namespace asio = boost::asio;
        boost::system::error_code ec;
        std::string buffer;
        auto send = [&](const std::string& reply) { asio::write(socket, asio::buffer(reply), ec); };
        send("220 hop.test ESMTP scripted\r\n");
        while (!ec) {
            const auto n = asio::read_until(socket, asio::dynamic_buffer(buffer), "\r\n", ec);
            if (ec) {
                return;
            }
            const std::string line = buffer.substr(0, n - 2);
            buffer.erase(0, n);
            {
                std::lock_guard lock(mutex_);
                commands_.push_back(line);
            }
            const std::string reply = respond_(connection, line);
            send(reply);
            if (line == "DATA" && reply.starts_with("354")) {
                std::string content;  // line by line up to the lone "."
                auto complete = [&] {
                    return content == ".\r\n" || content.ends_with("\r\n.\r\n");
                };
                while (!complete()) {
                    const auto end =
                        asio::read_until(socket, asio::dynamic_buffer(buffer), "\r\n", ec);
                    if (ec) {
                        return;
                    }
                    content += buffer.substr(0, end);
                    buffer.erase(0, end);
                }
                if (content != ".\r\n") {  // RFC 2920 3.1: DATA sent, no recipient left
                    std::lock_guard lock(mutex_);
                    messages_.push_back(content);
                }
                send(respond_(connection, "."));
            }
            if (line == "QUIT") {
                return;
            }
        }
    }

    Respond respond_;
    boost::asio::io_context io_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::uint16_t port_ = 0;
    std::atomic<int> connections_{0};
    std::atomic<bool> stopping_{false};
    mutable std::mutex mutex_;
    std::vector<std::string> messages_;  // as received: dot-stuffed, with the final ".\r\n"
    std::vector<std::string> commands_;
    std::thread thread_;
};

// The usual answers of a willing server; `respond` overrides some of them.
inline std::string willing_reply(const std::string& line) {
    if (line.starts_with("EHLO")) {
        return "250-hop.test\r\n250-PIPELINING\r\n250-SIZE 1000000\r\n250 8BITMIME\r\n";
    }
    if (line == "DATA") {
        return "354 go ahead\r\n";
    }
    if (line == "QUIT") {
        return "221 bye\r\n";
    }
    if (line == ".") {
        return "250 2.0.0 queued\r\n";
    }
    return "250 2.1.0 ok\r\n";
}

}  // namespace mh::integration
