#include "harness/bench/smtp_load.hpp"

#include <boost/asio/ssl/context.hpp>

#include <algorithm>
#include <array>
#include <memory>
#include <optional>
#include <utility>

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

// The reply latency histograms of one session, looked up once (a map lookup per reply is
// measurable at tens of thousands of replies a second).
class CommandHistograms {
  public:
    explicit CommandHistograms(Stats& stats) : stats_(stats) {}
    Histogram& operator[](const char* command) {
        for (auto& [name, histogram] : cache_)
            if (name == command)
                return *histogram;
            else if (!name)
                return *(name = command, histogram = &stats_.commands[command]);
        return stats_.commands[command];
    }

  private:
    Stats& stats_;
    std::array<std::pair<const char*, Histogram*>, 10> cache_{};
};

// A message whose envelope has been sent: its ticket and its first refused reply, if any.
struct InFlight {
    Ticket ticket;
    Clock::time_point started;
    std::uint64_t octets = 0;
    const char* refused_command = nullptr;
    int refused_code = 0;

    void refuse(const char* command, int code) {
        if (!refused_command)
            refused_command = command, refused_code = code;
    }
};

class SmtpSession {
  public:
    SmtpSession(const SmtpLoadOptions& options, SessionEnv& env, asio::ssl::context& tls)
        : options_(options), env_(env), tls_(tls), histograms_(env.stats) {
        for (unsigned i = 0; i < options.recipients; ++i)
            rcpt_commands_ += "RCPT TO:<" + options.to[i % options.to.size()] + ">\r\n";
        mail_command_ = "MAIL FROM:<" + options.from + ">\r\n";
        envelope_ = mail_command_ + rcpt_commands_ + "DATA\r\n";
        reset_envelope_ = "RSET\r\n" + envelope_;
    }

    asio::awaitable<void> run() {
        if (options_.pipelining && options_.reuse)
            co_await run_overlapped();
        else
            co_await run_one_by_one();
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

    // Each message whole before the next: lockstep, or its envelope in one write
    // (--pipelining --no-reuse). A refused reply fails the message and the session reconnects.
    asio::awaitable<void> run_one_by_one() {
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
                env_.failed(*ticket, refused.command(), reply_class(refused.code()),
                            std::to_string(refused.code()));
                connection_.reset();  // a clean slate: no RSET bookkeeping mid-pipeline
            } catch (const BenchFailure& failure) {
                env_.failed(*ticket, "session", failure.error_class(), failure.what());
                connection_.reset();
            }
        }
    }

    // --pipelining with reuse: one round trip per message. RFC 2920 3.1 lets the content of a
    // message start a group, so one write carries message k's content and message k+1's MAIL,
    // RCPTs and DATA; the replies come back in that order and are matched by counting. At most
    // two messages are in flight (DATA ends a group), so what is outstanding stays bounded.
    // A refused envelope fails its message and the session stays on the connection: a DATA
    // accepted anyway gets a single dot, and the next envelope starts with RSET (RFC 2920 3.1).
    asio::awaitable<void> run_overlapped() {
        std::optional<InFlight> sending;  // its DATA got 354: the content leads the next group
        std::optional<Ticket> waiting;    // taken from the pacer, envelope not sent yet
        bool reset = false;
        for (;;) {
            if (!waiting)
                waiting = env_.pacer.next(Clock::now());
            if (!sending && !waiting)
                break;
            if (!sending)
                co_await env_.wait_for(*waiting);
            // Open loop: a message not due yet lets the content go alone.
            std::optional<InFlight> starting;
            if (waiting && (!sending || waiting->intended <= Clock::now())) {
                starting = InFlight{*waiting, {}};
                waiting.reset();
            }
            try {
                if (!connection_)
                    co_await open();
                std::string_view content;
                if (sending)
                    content = options_.messages->framed(sending->ticket.sequence, scratch_,
                                                        sending->octets);
                const std::string_view envelope = !starting ? std::string_view()
                                                  : reset   ? reset_envelope_
                                                            : envelope_;
                const Time since = Clock::now();
                co_await connection_->write(content, envelope);
                if (sending) {
                    const int code = co_await read_reply(".", since);
                    if (code / 100 == 2)
                        accepted(*sending);
                    else
                        fail(*sending, ".", code);
                    sending.reset();
                }
                if (starting) {
                    starting->started = since;
                    co_await read_envelope_replies(*starting, std::exchange(reset, false), since);
                    if (!starting->refused_command) {
                        sending = std::move(starting);
                    } else {
                        fail(*starting);
                        reset = true;
                    }
                    starting.reset();
                }
            } catch (const ReplyRefused& refused) {  // the greeting, EHLO, STARTTLS or AUTH
                env_.failed(starting->ticket, refused.command(), reply_class(refused.code()),
                            std::to_string(refused.code()));
                connection_.reset();
                reset = false;
            } catch (const BenchFailure& failure) {
                // What was in flight is lost with the connection.
                for (auto* message : {&sending, &starting})
                    if (*message && (*message)->refused_command)
                        fail(**message);
                    else if (*message)
                        env_.failed((*message)->ticket, "session", failure.error_class(),
                                    failure.what());
                sending.reset();
                connection_.reset();
                reset = false;
            }
        }
    }

    // The replies to [RSET] MAIL RCPT... DATA; the first refused one is noted in `message`.
    asio::awaitable<void> read_envelope_replies(InFlight& message, bool reset, Time since) {
        if (reset)
            if (const int code = co_await read_reply("RSET", since); code / 100 != 2)
                message.refuse("RSET", code);
        if (const int code = co_await read_reply("MAIL", since); code / 100 != 2)
            message.refuse("MAIL", code);
        for (unsigned i = 0; i < options_.recipients; ++i)
            if (const int code = co_await read_reply("RCPT", since); code / 100 != 2)
                message.refuse("RCPT", code);
        const int data = co_await read_reply("DATA", since);
        if (data / 100 != 3) {
            message.refuse("DATA", data);
        } else if (message.refused_command) {
            // DATA accepted although the envelope was not: end it with a single dot (RFC 2920
            // 3.1), which sends no message to the recipients that were accepted.
            co_await connection_->write(".\r\n");
            co_await connection_->read_reply();
        }
    }

    void accepted(const InFlight& message) {
        if (options_.ledger)
            options_.ledger->accepted(message.ticket.sequence);
        env_.unit_done(message.ticket, message.started, message.octets);
    }

    void fail(const InFlight& message, const char* command, int code) {
        env_.failed(message.ticket, command, reply_class(code), std::to_string(code));
    }
    void fail(const InFlight& message) {
        fail(message, message.refused_command, message.refused_code);
    }

    static const char* reply_class(int code) { return code < 500 ? "4xx" : "5xx"; }

    // One reply, its latency recorded under `command`; its code.
    asio::awaitable<int> read_reply(const char* command, Time since) {
        const auto reply = co_await connection_->read_reply();
        record(command, since);
        co_return reply.reply.code;
    }

    void record(const char* command, Time since) {
        histograms_[command].record(unit_latency({}, since, Clock::now(), false));
    }

    asio::awaitable<void> expect(const char* command, int wanted_class, Time since) {
        if (const int code = co_await read_reply(command, since); code / 100 != wanted_class)
            throw ReplyRefused(command, code);
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
            co_await connection_->write(envelope_);
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
    CommandHistograms histograms_;
    std::unique_ptr<AsyncConnection> connection_;
    std::string mail_command_;
    std::string rcpt_commands_;
    std::string envelope_;        // MAIL, RCPT x R, DATA
    std::string reset_envelope_;  // RSET first: after a refused envelope
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
