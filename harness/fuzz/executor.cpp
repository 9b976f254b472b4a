#include "harness/fuzz/executor.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cctype>
#include <exception>

#include "harness/run/async_channel.hpp"
#include "harness/transport/transcript.hpp"

namespace mh::harness::fuzz {

namespace {

namespace asio = boost::asio;
namespace sc = scenario;
using run::Observation;

run::ChannelLimits channel_limits() {
    run::ChannelLimits limits;
    limits.smtp_reply_bytes = 64u << 10;  // a reply this long is a finding, not worth more
    limits.pop3_response_bytes = 16u << 20;
    limits.transcript_body_lines = 0;
    return limits;
}

bool positive_start(sc::Protocol protocol, const std::string& code) {
    return protocol == sc::Protocol::smtp ? code == "220" : code == "+OK";
}

// What the model answers a malformed line with: silence there is a disagreement, not a hang.
bool answers_malformed(sc::Protocol protocol, const PredictedReply& reply) {
    return protocol == sc::Protocol::smtp ? (reply == "500" || reply == "501" || reply == "555")
                                          : reply == "-ERR";
}

// Replies that acknowledge a message: a 2xx right after a 354.
std::size_t acknowledged(const std::vector<std::string>& codes, bool any_code) {
    std::size_t count = 0;
    for (std::size_t i = 1; i < codes.size(); ++i) {
        if (codes[i - 1] == "354" && (any_code || codes[i].starts_with("2"))) {
            ++count;
        }
    }
    return count;
}

class Run {
  public:
    Run(asio::io_context& io, const Conversation& conversation, const TargetSettings& target)
        : conversation_(conversation),
          target_(target),
          model_(ReferenceModel::make(target.protocol, target.profile, target.traits)),
          channel_(io, target.protocol, target.tls, transcript_, channel_limits()) {}

    asio::awaitable<Execution> go() {
        try {
            co_await channel_.open(target_.endpoint, deadline());
        } catch (const transport::TransportError&) {
            result_.target_down = true;
            co_return std::move(result_);
        }
        state_ = "greeting";
        if (!co_await expect(model_->start())) {
            co_return finish();
        }
        std::vector<const Turn*> turns;
        for (const Turn& turn : conversation_.turns) {
            turns.push_back(&turn);
        }
        const Turn quit{Turn::Kind::send, quit_line, {}};
        if (!conversation_.close_early) {
            turns.push_back(&quit);
        }
        for (std::size_t i = 0; i < turns.size() && !model_->closed(); ++i) {
            const bool last = i + 1 == turns.size();
            if (!co_await play(*turns[i], conversation_.close_early && last)) {
                co_return finish();
            }
        }
        if (model_->closed()) {
            co_await read_to_close();
        }
        co_return finish();
    }

  private:
    transport::Deadline deadline() const { return transport::Clock::now() + target_.timeout; }

    // Sends one turn and reads what the model says it gets; false once the conversation is over.
    asio::awaitable<bool> play(const Turn& turn, bool close_after) {
        state_ = verb_of(turn.bytes);
        std::vector<PredictedReply> replies = model_->put(turn.bytes);
        // Lines after an accepted STARTTLS / STLS in the same turn (plaintext injection): the
        // server may drop them or read them as a broken TLS handshake, depending on how they
        // reach it (segmentation), so a close from then on is not a disagreement.
        injected_after_tls_ |= model_->bytes_behind_tls_request();
        const std::size_t before = predicted_.size();
        predicted_.insert(predicted_.end(), replies.begin(), replies.end());
        result_.predicted.push_back(std::move(replies));
        bool sent = true;
        try {
            for (std::string_view write : writes_of(turn)) {
                co_await channel_.send(write, deadline());
            }
        } catch (const transport::TransportError&) {
            sent = false;  // no co_await inside a handler
        }
        if (!sent) {
            co_await server_closed();
            co_return false;
        }
        if (close_after) {
            channel_.close();
            if (!co_await target_alive_async(target_)) {
                judge(Oracle::crash, "the server died after the client closed mid-conversation");
            }
            co_return false;
        }
        if (!co_await expect_until(predicted_.size())) {
            co_return false;
        }
        if (model_->tls_requested()) {  // STARTTLS / STLS, whatever the turn was meant as
            if (received_.size() <= before ||
                !positive_start(target_.protocol, received_[received_.size() - 1])) {
                judge(Oracle::desync,
                      "the server refused " + state_ + ", which it offers and the model accepts");
                co_return false;
            }
            try {
                co_await channel_.handshake(deadline());
            } catch (const transport::TransportError&) {
                co_return false;  // the handshake itself is not what this fuzzer explores
            }
            model_->tls_established();
            result_.tls_after.insert(result_.predicted.size() - 1);
        }
        co_return true;
    }

    asio::awaitable<bool> expect(std::vector<PredictedReply> replies) {
        predicted_.insert(predicted_.end(), replies.begin(), replies.end());
        result_.predicted.push_back(std::move(replies));
        co_return co_await expect_until(predicted_.size());
    }

    asio::awaitable<bool> expect_until(std::size_t count) {
        while (received_.size() < count) {
            Observation seen = co_await channel_.observe(target_.timeout);
            if (!co_await take(seen)) {
                if (seen.kind == Observation::Kind::timeout) {
                    const PredictedReply& pending = predicted_[received_.size()];
                    if (answers_malformed(target_.protocol, pending)) {
                        judge(Oracle::desync, "no answer to a line the model answers with " +
                                                  pending + " within the timeout");
                    } else {
                        judge(Oracle::hang, "no reply within " +
                                                std::to_string(target_.timeout.count()) +
                                                " ms; the model answers " + pending);
                    }
                }
                co_return false;
            }
        }
        co_return true;
    }

    // Records one observation; false when it ends the conversation (a verdict may be set).
    asio::awaitable<bool> take(const Observation& seen) {
        switch (seen.kind) {
            case Observation::Kind::reply:
                received_.push_back(std::to_string(seen.reply.reply.code));
                result_.states.insert(state_ + ">" + received_.back());
                if (!seen.reply.diagnostics.empty()) {
                    judge(Oracle::grammar, "reply " + received_.back() + " breaks the grammar: " +
                                               seen.reply.diagnostics.front());
                    co_return false;
                }
                co_return true;
            case Observation::Kind::response:
                if (seen.response.status == proto::pop3::Status::err &&
                    seen.response.resp_code == "IN-USE" && received_.size() < predicted_.size() &&
                    predicted_[received_.size()] == "+OK") {
                    // A login the model accepts met a maildrop lock (RFC 2449 8.1.1): the
                    // verdict stands only if it happens on every try (execute_async).
                    result_.maildrop_in_use = true;
                    judge(Oracle::desync,
                          "-ERR [IN-USE] to a login the model accepts, on every try for the "
                          "timeout: a maildrop lock that outlives its session");
                    co_return false;
                }
                received_.push_back(proto::pop3::to_string(seen.response.status));
                result_.states.insert(state_ + ">" + received_.back());
                if (!seen.response.diagnostics.empty()) {
                    judge(Oracle::grammar,
                          "response " + received_.back() +
                              " breaks the grammar: " + seen.response.diagnostics.front());
                    co_return false;
                }
                co_return true;
            case Observation::Kind::overflow:
                judge(Oracle::grammar, "a reply longer than the reader's limit: " +
                                           transport::escape_bytes(seen.unfinished.substr(0, 60)));
                co_return false;
            case Observation::Kind::closed:
                co_await server_closed();
                co_return false;
            case Observation::Kind::timeout:
                co_return false;
        }
        co_return false;
    }

    asio::awaitable<void> server_closed() {
        if (model_->closed()) {
            co_return;
        }
        if (!co_await target_alive_async(target_)) {
            judge(Oracle::crash, "the connection ended and the server no longer greets");
            co_return;
        }
        const bool announced =
            !received_.empty() && (received_.back() == "421" || received_.back() == "-ERR");
        if (!announced && !injected_after_tls_) {
            judge(Oracle::desync,
                  "the server closed the connection without a 421 while the "
                  "model expected more replies");
        }
    }

    // After the model closed: whatever still arrives before the close contradicts it.
    asio::awaitable<void> read_to_close() {
        state_ = "end";
        const std::size_t expected = predicted_.size();
        for (;;) {
            Observation seen = co_await channel_.observe(target_.timeout);
            if (seen.kind == Observation::Kind::closed) {
                break;
            }
            if (seen.kind == Observation::Kind::timeout) {
                if (received_.size() <= expected) {
                    judge(Oracle::desync, "the connection stays open after the session ended");
                }
                break;
            }
            if (!co_await take(seen)) {
                break;
            }
        }
        if (received_.size() > expected) {
            judge(Oracle::desync, std::to_string(received_.size() - expected) +
                                      " more replies than the model gives");
        }
    }

    void judge(Oracle oracle, std::string detail) {
        if (!result_.verdict) {
            result_.verdict = Verdict{oracle, state_, std::move(detail)};
        }
    }

    Execution finish() {
        channel_.close();
        if (target_.protocol == sc::Protocol::smtp) {
            const std::size_t acks = acknowledged(received_, false);
            const std::size_t ends = acknowledged(predicted_, true);
            if (acks > ends) {
                // Outranks the symptoms smuggling also causes (extra replies, early close).
                result_.verdict =
                    Verdict{Oracle::acceptance, "DATA",
                            "the server acknowledged " + std::to_string(acks) +
                                " messages; the reference model reads " + std::to_string(ends) +
                                " end-of-data sequences in the same bytes"};
            }
        }
        result_.model_closed = model_->closed();
        return std::move(result_);
    }

    const Conversation& conversation_;
    const TargetSettings& target_;
    std::unique_ptr<ReferenceModel> model_;
    // The verdict says what happened; a transcript nobody reads would cost an escaped copy of
    // every line.
    transport::TranscriptRecorder transcript_{0};
    run::AsyncChannel channel_;
    std::vector<PredictedReply> predicted_;
    std::vector<std::string> received_;
    std::string state_;
    bool injected_after_tls_ = false;  // plaintext followed an accepted STARTTLS / STLS
    Execution result_;
};

}  // namespace

const char* to_string(Oracle oracle) {
    switch (oracle) {
        case Oracle::crash:
            return "crash";
        case Oracle::hang:
            return "hang";
        case Oracle::grammar:
            return "grammar";
        case Oracle::desync:
            return "desync";
        case Oracle::acceptance:
            return "acceptance";
    }
    return "?";
}

std::string verb_of(std::string_view bytes) {
    while (!bytes.empty() && (bytes.back() == '\n' || bytes.back() == '\r')) {
        bytes.remove_suffix(1);
    }
    const std::size_t start = bytes.find_last_of('\n');
    if (start != std::string_view::npos) {
        bytes.remove_prefix(start + 1);
    }
    std::string verb;
    for (char c : bytes) {
        if (!std::isalpha(static_cast<unsigned char>(c)) || verb.size() == 12) {
            break;
        }
        verb += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return verb.empty() ? "OTHER" : verb;
}

asio::awaitable<Execution> execute_async(const Conversation& conversation,
                                         const TargetSettings& target) {
    auto& io = static_cast<asio::io_context&>((co_await asio::this_coro::executor).context());
    // The account's last conversation may have gone (closed early, or cut short by a verdict)
    // before the server noticed: its session still holds the maildrop lock for a moment, and
    // this login gets -ERR [IN-USE]. Played again until the lock is free; a lock held longer
    // than the timeout is the server's fault.
    const auto give_up = transport::Clock::now() + target.timeout;
    for (;;) {
        Run run(io, conversation, target);
        Execution result = co_await run.go();
        if (!result.maildrop_in_use || transport::Clock::now() >= give_up) {
            co_return result;
        }
        asio::steady_timer pause(io, std::chrono::milliseconds(2));
        co_await pause.async_wait(asio::use_awaitable);
    }
}

asio::awaitable<bool> target_alive_async(const TargetSettings& target) {
    auto& io = static_cast<asio::io_context&>((co_await asio::this_coro::executor).context());
    transport::TranscriptRecorder transcript(0);
    run::AsyncChannel channel(io, target.protocol, target.tls, transcript, channel_limits());
    try {
        co_await channel.open(target.endpoint, transport::Clock::now() + target.timeout);
    } catch (const transport::TransportError&) {
        co_return false;
    }
    const Observation greeting = co_await channel.observe(target.timeout);
    co_return greeting.kind == Observation::Kind::reply ||
        greeting.kind == Observation::Kind::response;
}

namespace {

// Runs `work` to its end on a private io_context.
template <typename T>
T run_alone(asio::awaitable<T> work) {
    asio::io_context io(1);
    std::optional<T> result;
    std::exception_ptr failure;
    asio::co_spawn(io, std::move(work), [&](std::exception_ptr e, T value) {
        failure = e;
        result = std::move(value);
    });
    io.run();
    if (failure) {
        std::rethrow_exception(failure);
    }
    return std::move(*result);
}

}  // namespace

Execution execute(const Conversation& conversation, const TargetSettings& target) {
    return run_alone(execute_async(conversation, target));
}

bool target_alive(const TargetSettings& target) {
    return run_alone(target_alive_async(target));
}

std::optional<TargetTraits> probe_traits(const TargetSettings& target) {
    transport::TranscriptRecorder transcript(64);
    run::Channel channel(target.protocol, target.tls, transcript, "", channel_limits());
    try {
        channel.open(target.endpoint, transport::Clock::now() + target.timeout);
        channel.observe(target.timeout);
        const bool smtp = target.protocol == sc::Protocol::smtp;
        channel.send(smtp ? "EHLO fuzz.example.test\r\n" : "CAPA\r\n",
                     transport::Clock::now() + target.timeout);
        const Observation answer = channel.observe(target.timeout);
        TargetTraits traits;
        std::vector<std::string> lines = smtp ? answer.reply.raw_lines : answer.response.body;
        traits.login_before_tls = false;
        for (std::string& line : lines) {
            std::transform(line.begin(), line.end(), line.begin(),
                           [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
            const std::string_view text =
                smtp && line.size() > 4 ? std::string_view(line).substr(4) : std::string_view(line);
            traits.tls_offered |= text.starts_with(smtp ? "STARTTLS" : "STLS");
            traits.login_before_tls |= smtp
                                           ? text.starts_with("AUTH")
                                           : (text.starts_with("USER") || text.starts_with("SASL"));
        }
        if (!smtp && traits.tls_offered && traits.login_before_tls) {
            // CAPA may list USER and SASL where they are refused before STLS (RFC 2449 6.2:
            // "they may not be available to all users"; the reference does so): ask USER.
            const std::string user =
                target.profile.accounts.empty() ? "fuzz" : target.profile.accounts.front().user;
            channel.send("USER " + user + "\r\n", transport::Clock::now() + target.timeout);
            const Observation reply = channel.observe(target.timeout);
            traits.login_before_tls = reply.kind == Observation::Kind::response &&
                                      reply.response.status == proto::pop3::Status::ok;
        }
        channel.send(quit_line, transport::Clock::now() + target.timeout);
        return traits;
    } catch (const transport::TransportError&) {
        return std::nullopt;
    }
}

}  // namespace mh::harness::fuzz
