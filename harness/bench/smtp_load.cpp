#include "harness/bench/smtp_load.hpp"

#include <boost/asio/ssl/context.hpp>

#include <algorithm>
#include <memory>

#include "harness/bench/async_connection.hpp"
#include "proto/sasl/base64.hpp"

namespace mh::harness::bench {

namespace asio = boost::asio;

void AcceptedLedger::accepted(std::uint64_t sequence) {
    std::lock_guard lock(mutex_);
    sequences_.push_back(sequence);
}

std::vector<std::uint64_t> AcceptedLedger::sequences() const {
    std::lock_guard lock(mutex_);
    std::vector<std::uint64_t> sorted = sequences_;
    std::sort(sorted.begin(), sorted.end());
    return sorted;
}

namespace {

// A reply outside the class the command expects: the message (or the session) fails.
class ReplyRefused : public std::runtime_error {
  public:
    ReplyRefused(std::string command, int code)
        : std::runtime_error(command), command_(std::move(command)), code_(code) {}
    const std::string& command() const { return command_; }
    int code() const { return code_; }

  private:
    std::string command_;
    int code_;
};

class SmtpSession {
  public:
    SmtpSession(const SmtpLoadOptions& options, SessionEnv& env, asio::ssl::context& tls)
        : options_(options), env_(env), tls_(tls) {
        for (unsigned i = 0; i < options.recipients; ++i)
            rcpt_commands_ += "RCPT TO:<" + options.to[i % options.to.size()] + ">\r\n";
        mail_command_ = "MAIL FROM:<" + options.from + ">\r\n";
    }

    asio::awaitable<void> run() {
        while (auto ticket = env_.pacer.next(Clock::now())) {
            co_await env_.wait_for(*ticket);
            const auto started = Clock::now();
            try {
                if (!connection_)
                    co_await open();
                std::uint64_t octets = 0;
                const std::string_view content =
                    options_.messages->framed(ticket->sequence, scratch_, octets);
                co_await send_message(content);
                if (options_.ledger)
                    options_.ledger->accepted(ticket->sequence);
                env_.unit_done(*ticket, started, octets);
                if (!options_.reuse)
                    co_await quit();
            } catch (const ReplyRefused& refused) {
                env_.failed(*ticket, refused.command(), refused.code() < 500 ? "4xx" : "5xx",
                            std::to_string(refused.code()));
                connection_.reset();  // a clean slate: no RSET bookkeeping mid-pipeline
            } catch (const BenchFailure& failure) {
                env_.failed(*ticket, "session", failure.error_class(), failure.what());
                connection_.reset();
            }
        }
        if (connection_) {
            try {
                co_await quit();
            } catch (const std::exception&) {
                // The run is over; a server that drops QUIT costs nothing measured.
            }
        }
    }

  private:
    using Time = Clock::time_point;

    void record(const char* command, Time since) {
        env_.stats.commands[command].record(unit_latency({}, since, Clock::now(), false));
    }

    asio::awaitable<void> expect(const char* command, int wanted_class, Time since) {
        const auto reply = co_await connection_->read_reply();
        record(command, since);
        if (reply.reply.code / 100 != wanted_class)
            throw ReplyRefused(command, reply.reply.code);
    }

    asio::awaitable<void> command(const char* name, std::string_view line, int wanted_class) {
        const Time since = Clock::now();
        co_await connection_->write(line);
        co_await expect(name, wanted_class, since);
    }

    asio::awaitable<void> open() {
        connection_ = std::make_unique<AsyncConnection>(env_.executor, tls_);
        Time since = Clock::now();
        co_await connection_->connect(options_.endpoint);
        env_.stats.connect.record(unit_latency({}, since, Clock::now(), false));
        if (options_.tls == scenario::TlsMode::implicit)
            co_await handshake();
        co_await expect("banner", 2, since);
        co_await command("EHLO", "EHLO " + options_.helo + "\r\n", 2);
        if (options_.tls == scenario::TlsMode::starttls) {
            co_await command("STARTTLS", "STARTTLS\r\n", 2);
            co_await handshake();
            co_await command("EHLO", "EHLO " + options_.helo + "\r\n", 2);
        }
        if (options_.auth) {
            const std::string plain = std::string("\0", 1) + options_.auth->user +
                                      std::string("\0", 1) + options_.auth->password;
            co_await command("AUTH", "AUTH PLAIN " + proto::sasl::base64_encode(plain) + "\r\n", 2);
        }
    }

    asio::awaitable<void> handshake() {
        const Time since = Clock::now();
        co_await connection_->handshake();
        env_.stats.tls_handshake.record(unit_latency({}, since, Clock::now(), false));
    }

    asio::awaitable<void> send_message(std::string_view content) {
        if (options_.pipelining) {
            // RFC 2920 3.1: MAIL, RCPT... and DATA in one group, the content after the 354.
            const Time since = Clock::now();
            co_await connection_->write(mail_command_ + rcpt_commands_ + "DATA\r\n");
            co_await expect("MAIL", 2, since);
            for (unsigned i = 0; i < options_.recipients; ++i)
                co_await expect("RCPT", 2, since);
            co_await expect("DATA", 3, since);
        } else {
            co_await command("MAIL", mail_command_, 2);
            std::string_view rcpts = rcpt_commands_;
            for (unsigned i = 0; i < options_.recipients; ++i) {
                const std::size_t end = rcpts.find('\n') + 1;
                co_await command("RCPT", rcpts.substr(0, end), 2);
                rcpts.remove_prefix(end);
            }
            co_await command("DATA", "DATA\r\n", 3);
        }
        co_await command(".", content, 2);
    }

    asio::awaitable<void> quit() {
        auto connection = std::move(connection_);
        co_await connection->write("QUIT\r\n");
        co_await connection->read_reply();
        connection->close();
    }

    const SmtpLoadOptions& options_;
    SessionEnv& env_;
    asio::ssl::context& tls_;
    std::unique_ptr<AsyncConnection> connection_;
    std::string mail_command_;
    std::string rcpt_commands_;
    std::string scratch_;
};

}  // namespace

SessionBody smtp_session(const SmtpLoadOptions& options) {
    auto tls = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
    tls->set_verify_mode(asio::ssl::verify_none);  // a load test measures, it does not vouch
    return [&options, tls](SessionEnv& env) -> asio::awaitable<void> {
        SmtpSession session(options, env, *tls);
        co_await session.run();
    };
}

}  // namespace mh::harness::bench
