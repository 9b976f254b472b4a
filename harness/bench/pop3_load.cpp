#include "harness/bench/pop3_load.hpp"

#include <boost/asio/ssl/context.hpp>

#include <algorithm>
#include <charconv>
#include <memory>

#include "harness/bench/async_connection.hpp"

namespace mh::harness::bench {

namespace asio = boost::asio;
using proto::pop3::Status;

const char* pop3_unit(Pop3Workload workload) {
    return workload == Pop3Workload::login ? "session" : "message";
}

namespace {

constexpr std::size_t kPipelineWindow = 64;

class Refused : public std::runtime_error {
  public:
    explicit Refused(std::string command) : std::runtime_error(command) {}
};

class Pop3Session {
  public:
    Pop3Session(const Pop3LoadOptions& options, SessionEnv& env, asio::ssl::context& tls)
        : options_(options),
          env_(env),
          tls_(tls),
          account_(options.accounts[env.index % options.accounts.size()]) {}

    asio::awaitable<void> run() {
        while (auto ticket = env_.pacer.next(Clock::now())) {
            co_await env_.wait_for(*ticket);
            const auto started = Clock::now();
            Pop3Workload workload = options_.workload;
            if (workload == Pop3Workload::mixed) {
                constexpr Pop3Workload turn[] = {Pop3Workload::login, Pop3Workload::top,
                                                 Pop3Workload::retr_all};
                workload = turn[ticket->sequence % 3];
            }
            try {
                co_await login();
                if (workload == Pop3Workload::login) {
                    co_await command("STAT", "STAT\r\n", false);
                    co_await quit();
                    env_.unit_done(*ticket, started, 0);
                    continue;
                }
                const auto sizes = co_await list();
                co_await fetch_all(*ticket, sizes, workload == Pop3Workload::top);
                co_await quit();
            } catch (const Refused& refused) {
                env_.failed(*ticket, refused.what(), "-ERR", "-ERR");
                connection_.reset();
            } catch (const BenchFailure& failure) {
                env_.failed(*ticket, "session", failure.error_class(), failure.what());
                connection_.reset();
            }
        }
    }

  private:
    asio::awaitable<proto::pop3::ParsedResponse> expect(const char* name, bool body,
                                                        Clock::time_point since) {
        auto response = co_await connection_->read_response(body);
        env_.stats.commands[name].record(unit_latency({}, since, Clock::now(), false));
        if (response.status != Status::ok)
            throw Refused(name);
        co_return response;
    }

    asio::awaitable<proto::pop3::ParsedResponse> command(const char* name, std::string_view line,
                                                         bool body) {
        const auto since = Clock::now();
        co_await connection_->write(line);
        co_return co_await expect(name, body, since);
    }

    asio::awaitable<void> login() {
        connection_ = std::make_unique<AsyncConnection>(env_.executor, tls_);
        auto since = Clock::now();
        co_await connection_->connect(options_.endpoint);
        env_.stats.connect.record(unit_latency({}, since, Clock::now(), false));
        if (options_.tls == scenario::TlsMode::implicit)
            co_await handshake();
        co_await expect("greeting", false, since);
        if (options_.tls == scenario::TlsMode::starttls) {
            co_await command("STLS", "STLS\r\n", false);
            co_await handshake();
        }
        co_await command("USER", "USER " + account_.user + "\r\n", false);
        co_await command("PASS", "PASS " + account_.password + "\r\n", false);
    }

    asio::awaitable<void> handshake() {
        const auto since = Clock::now();
        co_await connection_->handshake();
        env_.stats.tls_handshake.record(unit_latency({}, since, Clock::now(), false));
    }

    // Message numbers and sizes from the LIST scan listing (RFC 1939 5).
    asio::awaitable<std::vector<std::pair<unsigned, std::uint64_t>>> list() {
        const auto response = co_await command("LIST", "LIST\r\n", true);
        std::vector<std::pair<unsigned, std::uint64_t>> sizes;
        for (const std::string& line : response.body) {
            unsigned number = 0;
            std::uint64_t size = 0;
            const char* end = line.data() + line.size();
            auto [p, ec] = std::from_chars(line.data(), end, number);
            if (ec == std::errc() && p < end)
                std::from_chars(p + 1, end, size);
            if (ec == std::errc())
                sizes.emplace_back(number, size);
        }
        co_return sizes;
    }

    asio::awaitable<void> fetch_all(const Ticket& ticket,
                                    const std::vector<std::pair<unsigned, std::uint64_t>>& sizes,
                                    bool top) {
        const char* name = top ? "TOP" : "RETR";
        const std::size_t window = options_.pipelining ? kPipelineWindow : 1;
        for (std::size_t first = 0; first < sizes.size(); first += window) {
            const std::size_t last = std::min(sizes.size(), first + window);
            std::string batch;
            for (std::size_t i = first; i < last; ++i)
                batch += (top ? "TOP " : "RETR ") + std::to_string(sizes[i].first) +
                         (top ? " 0\r\n" : "\r\n");
            const auto since = Clock::now();
            co_await connection_->write(batch);
            for (std::size_t i = first; i < last; ++i) {
                const auto message_started = Clock::now();
                const auto response = co_await expect(name, true, since);
                env_.unit_done(ticket, message_started, response.body_octets);
            }
        }
    }

    asio::awaitable<void> quit() {
        co_await command("QUIT", "QUIT\r\n", false);
        connection_->close();
        connection_.reset();
    }

    const Pop3LoadOptions& options_;
    SessionEnv& env_;
    asio::ssl::context& tls_;
    const Credentials& account_;
    std::unique_ptr<AsyncConnection> connection_;
};

}  // namespace

SessionBody pop3_session(const Pop3LoadOptions& options) {
    auto tls = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
    tls->set_verify_mode(asio::ssl::verify_none);
    return [&options, tls](SessionEnv& env) -> asio::awaitable<void> {
        Pop3Session session(options, env, *tls);
        co_await session.run();
    };
}

}  // namespace mh::harness::bench
