#include "reference/relay/smtp_delivery.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <array>
#include <optional>

#include "proto/pop3/detail/multiline.hpp"
#include "proto/smtp/ehlo_keywords.hpp"
#include "proto/smtp/reply_parser.hpp"
#include "reference/server/transport.hpp"

namespace mh::reference {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using boost::system::error_code;
using proto::smtp::ParsedReply;
using namespace asio::experimental::awaitable_operators;

constexpr auto token = asio::as_tuple(asio::use_awaitable);

// The connection cannot go on: every recipient without an outcome gets this one.
struct Abort {
    RecipientOutcome outcome;
    std::string status;
    std::string reply;  // empty when there is none
    std::string reason;
};

std::string quote(const ParsedReply& reply) {
    std::string out;
    for (const auto& line : reply.raw_lines) {
        out += (out.empty() ? "" : " ") + line;
    }
    return out.empty() ? "(empty reply)" : out;
}

RecipientOutcome outcome_of(int code) {
    return code >= 500 && code < 600 ? RecipientOutcome::permanent : RecipientOutcome::temporary;
}

// RFC 3461 6.3 (g): the reply's own status code, else 4.0.0 or 5.0.0.
std::string status_of(const ParsedReply& reply) {
    if (!reply.reply.enhanced.empty()) {
        return reply.reply.enhanced;
    }
    return outcome_of(reply.reply.code) == RecipientOutcome::permanent ? "5.0.0" : "4.0.0";
}

Abort abort_for(const ParsedReply& reply, const std::string& step) {
    return {outcome_of(reply.reply.code), status_of(reply), quote(reply), step};
}

Abort local_abort(std::string status, std::string reason) {
    return {RecipientOutcome::temporary, std::move(status), "", std::move(reason)};
}

class Delivery {
  public:
    Delivery(const NextHop& hop, const DeliverySettings& settings, asio::ssl::context& tls,
             DeliveryAttempt& attempt, const DataEndHandler& on_data_end)
        : hop_(hop), settings_(settings), tls_(tls), attempt_(attempt), on_data_end_(on_data_end) {}

    awaitable<void> run(std::string_view mail_from, std::string_view message) {
        co_await connect();
        const ParsedReply greeting = co_await read(settings_.timeouts.command);
        if (greeting.reply.code != 220) {
            throw abort_for(greeting, "greeting");
        }
        co_await hello();
        co_await start_tls();
        co_await transaction(mail_from, message);
        // The message is delivered; whatever QUIT gets changes nothing.
        try {
            co_await write("QUIT\r\n");
            co_await read(settings_.timeouts.command);
        } catch (const Abort&) {
        }
        co_await transport_->close(std::chrono::seconds(5));
    }

  private:
    awaitable<void> connect() {
        auto executor = co_await asio::this_coro::executor;
        asio::ip::tcp::resolver resolver(executor);
        auto [resolve_error, endpoints] =
            co_await resolver.async_resolve(hop_.host, std::to_string(hop_.port), token);
        if (resolve_error) {
            throw local_abort("4.4.4",
                              "cannot resolve " + hop_.host + ": " + resolve_error.message());
        }
        asio::ip::tcp::socket socket(executor);
        asio::steady_timer timer(executor, settings_.timeouts.connect);
        auto result =
            co_await (asio::async_connect(socket, endpoints, token) || timer.async_wait(token));
        error_code ec = result.index() == 1 ? error_code(asio::error::timed_out)
                                            : std::get<0>(std::get<0>(result));
        if (ec) {
            throw local_abort("4.4.1", "connect to " + hop_.to_string() + ": " + ec.message());
        }
        transport_.emplace(std::move(socket), tls_);
        attempt_.remote_mta = hop_.host;
    }

    awaitable<ParsedReply> read(std::chrono::seconds timeout) {
        while (!parser_.has_reply()) {
            if (pending_.empty()) {
                auto [ec, n] = co_await transport_->read_some(asio::buffer(buffer_), timeout);
                if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) {
                    parser_.put_eof();
                    if (!parser_.has_reply()) {
                        throw local_abort("4.4.2", hop_.to_string() + " closed the connection");
                    }
                    break;
                }
                if (ec) {
                    throw local_abort("4.4.2",
                                      "reading from " + hop_.to_string() + ": " + ec.message());
                }
                pending_.assign(buffer_.data(), n);
            }
            pending_.erase(0, parser_.put(pending_));
        }
        co_return parser_.take();
    }

    awaitable<void> write(std::string_view bytes) {
        const auto ec = co_await transport_->write(bytes, settings_.timeouts.command);
        if (ec) {
            throw local_abort("4.4.2", "writing to " + hop_.to_string() + ": " + ec.message());
        }
    }

    // By value: the coroutine frame keeps the line (no temporaries across a suspension).
    awaitable<ParsedReply> command(std::string line) {
        line += "\r\n";
        co_await write(line);
        ParsedReply reply = co_await read(settings_.timeouts.command);
        co_return reply;
    }

    // RFC 5321 3.2: a server that refuses EHLO gets HELO.
    awaitable<void> hello() {
        auto reply = co_await command("EHLO " + settings_.helo_name);
        if (reply.reply.code == 250) {
            keywords_ = proto::smtp::parse_ehlo_keywords(reply.reply);
            co_return;
        }
        if (reply.reply.code < 500) {
            throw abort_for(reply, "EHLO");
        }
        reply = co_await command("HELO " + settings_.helo_name);
        if (reply.reply.code != 250) {
            throw abort_for(reply, "HELO");
        }
        keywords_.clear();
    }

    awaitable<void> start_tls() {
        const bool required = settings_.tls.policy == RelayTlsPolicy::required;
        if (!keywords_.contains("STARTTLS")) {
            if (required) {
                throw local_abort("4.7.0", hop_.to_string() +
                                               " does not offer STARTTLS (relay.tls.policy: "
                                               "required)");
            }
            co_return;
        }
        const auto reply = co_await command("STARTTLS");
        if (reply.reply.code != 220) {
            if (required) {
                throw Abort{RecipientOutcome::temporary, "4.7.0", quote(reply),
                            "STARTTLS refused (relay.tls.policy: required)"};
            }
            co_return;  // opportunistic: go on in clear text
        }
        const auto ec = co_await transport_->client_handshake(hop_.host, settings_.tls.verify,
                                                              settings_.timeouts.command);
        if (ec) {
            throw local_abort("4.7.0",
                              "TLS handshake with " + hop_.to_string() + ": " + ec.message());
        }
        attempt_.tls = transport_->tls_description();
        co_await hello();  // RFC 3207 4.2: forget what was learnt before TLS
    }

    void settle(std::size_t index, const ParsedReply& reply, RecipientOutcome outcome,
                std::string step) {
        auto& result = attempt_.recipients[index];
        result.outcome = outcome;
        result.status = status_of(reply);
        result.reply = quote(reply);
        result.reason = std::move(step);
    }

    awaitable<void> transaction(std::string_view mail_from, std::string_view message) {
        std::string mail = "MAIL FROM:<" + std::string(mail_from) + ">";
        if (const auto size = keywords_.find("SIZE"); size != keywords_.end()) {
            const auto limit = std::strtoull(size->second.c_str(), nullptr, 10);
            if (limit > 0 && message.size() > limit) {
                throw Abort{RecipientOutcome::permanent, "5.3.4", "",
                            "the message has " + std::to_string(message.size()) +
                                " octets, more than the next hop's SIZE " + size->second};
            }
            mail += " SIZE=" + std::to_string(message.size());
        }
        const bool eight_bit = std::any_of(message.begin(), message.end(), [](char c) {
            return static_cast<unsigned char>(c) > 127;
        });
        if (eight_bit && keywords_.contains("8BITMIME")) {
            mail += " BODY=8BITMIME";
        }
        std::vector<std::string> commands{mail};
        for (const auto& result : attempt_.recipients) {
            commands.push_back("RCPT TO:<" + result.recipient + ">");
        }
        commands.emplace_back("DATA");

        std::vector<ParsedReply> replies;
        if (keywords_.contains("PIPELINING")) {
            std::string batch;
            for (const auto& line : commands) {
                batch += line + "\r\n";
            }
            co_await write(batch);
            for (std::size_t i = 0; i < commands.size(); ++i) {
                ParsedReply reply = co_await read(settings_.timeouts.command);
                replies.push_back(std::move(reply));
            }
        } else {
            // (No co_await inside a call's arguments or a ?: - g++ 12 miscompiles those.)
            for (std::size_t i = 0; i + 1 < commands.size(); ++i) {
                ParsedReply reply = co_await command(commands[i]);
                replies.push_back(std::move(reply));
                if (replies[0].reply.code != 250) {
                    break;
                }
            }
        }
        if (replies[0].reply.code != 250) {
            throw abort_for(replies[0], "MAIL FROM");
        }
        std::vector<std::size_t> accepted;
        for (std::size_t i = 0; i < attempt_.recipients.size(); ++i) {
            const auto& reply = replies[i + 1];
            if (reply.reply.code == 250 || reply.reply.code == 251) {
                accepted.push_back(i);
            } else {
                settle(i, reply, outcome_of(reply.reply.code), "RCPT TO");
            }
        }
        const bool pipelined = replies.size() == commands.size();
        if (accepted.empty()) {
            if (pipelined && replies.back().reply.code == 354) {
                co_await write(".\r\n");  // RFC 2920 3.1: DATA accepted without recipients
                co_await read(settings_.timeouts.data_end);
            }
            co_return;
        }
        ParsedReply data;
        if (pipelined) {
            data = replies.back();
        } else {
            data = co_await command("DATA");
        }
        if (data.reply.code != 354) {
            throw abort_for(data, "DATA");
        }
        std::string content;
        content.reserve(message.size() + message.size() / 64 + 8);
        proto::pop3::detail::append_multiline(content, message);  // same stuffing as POP3
        co_await write(content);
        const auto final_reply = co_await read(settings_.timeouts.data_end);
        for (const std::size_t i : accepted) {
            settle(i, final_reply,
                   final_reply.reply.code == 250 ? RecipientOutcome::delivered
                                                 : outcome_of(final_reply.reply.code),
                   "end of data");
        }
        on_data_end_(attempt_);
    }

    const NextHop& hop_;
    const DeliverySettings& settings_;
    asio::ssl::context& tls_;
    DeliveryAttempt& attempt_;
    const DataEndHandler& on_data_end_;
    std::optional<Transport> transport_;
    proto::smtp::ReplyParser parser_;
    std::array<char, 8192> buffer_{};
    std::string pending_;  // received bytes not yet given to the parser
    proto::smtp::EhloKeywords keywords_;
};

}  // namespace

awaitable<DeliveryAttempt> deliver_to_next_hop(const NextHop& hop, std::string_view mail_from,
                                               const std::vector<std::string>& recipients,
                                               std::string_view message,
                                               const DeliverySettings& settings,
                                               asio::ssl::context& tls,
                                               DataEndHandler on_data_end) {
    DeliveryAttempt attempt;
    for (const auto& recipient : recipients) {
        attempt.recipients.push_back({recipient, RecipientOutcome::temporary, "", "", ""});
    }
    Delivery delivery(hop, settings, tls, attempt, on_data_end);
    std::optional<Abort> aborted;
    try {
        co_await delivery.run(mail_from, message);
    } catch (const Abort& abort) {
        aborted = abort;
    }
    if (aborted) {
        for (auto& result : attempt.recipients) {
            if (result.status.empty()) {  // not settled by its own reply
                result.outcome = aborted->outcome;
                result.status = aborted->status;
                result.reply = aborted->reply;
                result.reason = aborted->reason;
            }
        }
    }
    co_return attempt;
}

}  // namespace mh::reference
