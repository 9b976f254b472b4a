#include "reference/clients/send_client.hpp"

#include <algorithm>
#include <ctime>
#include <random>

#include "proto/pop3/detail/multiline.hpp"
#include "proto/sasl/base64.hpp"
#include "proto/smtp/ehlo_keywords.hpp"
#include "proto/smtp/reply_parser.hpp"
#include "reference/clients/client_error.hpp"
#include "reference/clients/detail/response_reader.hpp"
#include "reference/clients/detail/sasl_client.hpp"

namespace mh::reference::clients {
namespace {

using proto::sasl::base64_encode;
using proto::smtp::ParsedReply;

// The reply as the server sent it, for error messages.
std::string quote(const ParsedReply& reply) {
    std::string out;
    for (const auto& line : reply.raw_lines) {
        out += out.empty() ? "" : " | ";
        out += line;
    }
    return out.empty() ? "(empty reply)" : out;
}

std::string with_crlf_line_ends(std::string_view text) {
    std::string out;
    out.reserve(text.size() + text.size() / 32);
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) {
            out += '\r';
        }
        out += text[i];
    }
    return out;
}

// One SMTP conversation: commands out, parsed replies in, a transcript on the side.
class Conversation {
  public:
    explicit Conversation(const SendOptions& options, SendResult& result)
        : options_(options), result_(result), connection_(options.timeout) {}

    void run() {
        connection_.connect(options_.host, options_.port);
        if (options_.tls == SmtpTls::implicit) {
            connection_.start_tls(options_.host, options_.tls_settings);
        }
        expect(read(), 220, "greeting");
        ehlo();
        if (options_.tls == SmtpTls::starttls) {
            if (!capabilities_.contains("STARTTLS")) {
                throw ClientError(ExitCode::refused,
                                  "the server does not offer STARTTLS (use --tls none to send "
                                  "in clear text)");
            }
            expect(command("STARTTLS"), 220, "STARTTLS");
            connection_.start_tls(options_.host, options_.tls_settings);
            ehlo();  // RFC 3207 4.2: capabilities may differ after TLS
        }
        if (options_.auth) {
            authenticate(*options_.auth);
        }
        transaction();
        const auto quit = command("QUIT");
        (void)quit;  // the message is accepted already; a bad QUIT reply changes nothing
    }

  private:
    ParsedReply read() {
        auto reply = detail::read_reply(connection_, pending_, parser_,
                                        [](const auto& parser) { return parser.has_reply(); });
        for (const auto& line : reply.raw_lines) {
            result_.transcript.push_back("S: " + line);
        }
        return reply;
    }

    void send(const std::string& line, const std::string& shown) {
        result_.transcript.push_back("C: " + shown);
        connection_.write(line + "\r\n");
    }

    ParsedReply command(const std::string& line) {
        send(line, line);
        return read();
    }

    static void expect(const ParsedReply& reply, int code, const std::string& what) {
        if (reply.reply.code != code) {
            throw ClientError(reply.reply.code >= 400 && reply.reply.code < 600
                                  ? ExitCode::refused
                                  : ExitCode::protocol,
                              "server refused " + what + ": " + quote(reply));
        }
    }

    void ehlo() {
        auto reply = command("EHLO " + options_.helo_name);
        expect(reply, 250, "EHLO");
        capabilities_ = proto::smtp::parse_ehlo_keywords(reply.reply);
    }

    void authenticate(const SmtpCredentials& credentials) {
        const auto offered = capabilities_.find("AUTH");
        if (offered == capabilities_.end()) {
            throw ClientError(ExitCode::refused,
                              connection_.encrypted()
                                  ? "the server does not offer AUTH"
                                  : "the server does not offer AUTH before TLS (use --tls)");
        }
        const std::string mechanisms = " " + offered->second + " ";
        const bool plain = mechanisms.find(" PLAIN ") != std::string::npos;
        const bool login = mechanisms.find(" LOGIN ") != std::string::npos;
        SmtpAuthMechanism chosen = credentials.mechanism;
        if (chosen == SmtpAuthMechanism::automatic) {
            chosen = plain ? SmtpAuthMechanism::plain : SmtpAuthMechanism::login;
        }
        if ((chosen == SmtpAuthMechanism::plain && !plain) ||
            (chosen == SmtpAuthMechanism::login && !login)) {
            throw ClientError(ExitCode::refused,
                              "the server offers no usable AUTH mechanism: AUTH" + mechanisms);
        }
        if (chosen == SmtpAuthMechanism::plain) {
            const std::string token =
                detail::plain_response(credentials.user, credentials.password);
            send("AUTH PLAIN " + token, "AUTH PLAIN ********");
            expect(read(), 235, "AUTH PLAIN for " + credentials.user);
            return;
        }
        // RFC 4954 4 continuations: username, then password, each base64.
        expect(command("AUTH LOGIN"), 334, "AUTH LOGIN");
        send(base64_encode(credentials.user), base64_encode(credentials.user));
        expect(read(), 334, "AUTH LOGIN user name");
        send(base64_encode(credentials.password), "********");
        expect(read(), 235, "AUTH LOGIN for " + credentials.user);
    }

    void transaction() {
        const std::string message = with_crlf_line_ends(options_.message);
        std::string mail = "MAIL FROM:<" + options_.from + ">";
        if (const auto size = capabilities_.find("SIZE"); size != capabilities_.end()) {
            const auto limit = std::strtoull(size->second.c_str(), nullptr, 10);
            if (limit > 0 && message.size() > limit) {
                throw ClientError(ExitCode::refused,
                                  "the message has " + std::to_string(message.size()) +
                                      " octets, more than the server's SIZE " + size->second);
            }
            mail += " SIZE=" + std::to_string(message.size());
        }
        const bool eight_bit = std::any_of(message.begin(), message.end(), [](char c) {
            return static_cast<unsigned char>(c) > 127;
        });
        if (eight_bit && capabilities_.contains("8BITMIME")) {
            mail += " BODY=8BITMIME";
        }
        std::vector<std::string> commands{mail};
        for (const auto& recipient : options_.recipients) {
            commands.push_back("RCPT TO:<" + recipient + ">");
        }
        commands.emplace_back("DATA");

        // RFC 2920 3.1: with PIPELINING the whole group up to DATA goes in one write.
        result_.pipelined = capabilities_.contains("PIPELINING");
        std::vector<ParsedReply> replies;
        if (result_.pipelined) {
            std::string batch;
            for (const auto& line : commands) {
                result_.transcript.push_back("C: " + line);
                batch += line + "\r\n";
            }
            connection_.write(batch);
            for (std::size_t i = 0; i < commands.size(); ++i) {
                replies.push_back(read());
            }
        } else {
            for (const auto& line : commands) {
                replies.push_back(command(line));
                const bool last_rcpt = replies.size() == commands.size() - 1;
                if (replies.size() == 1 && replies[0].reply.code != 250) {
                    break;  // MAIL refused: nothing more to send
                }
                if (last_rcpt && !any_recipient_accepted(replies)) {
                    break;
                }
            }
        }
        expect(replies[0], 250, "MAIL FROM:<" + options_.from + ">");
        std::vector<std::string> refused;
        for (std::size_t i = 1; i + 1 < replies.size(); ++i) {
            if (replies[i].reply.code != 250 && replies[i].reply.code != 251) {
                refused.push_back(commands[i] + ": " + quote(replies[i]));
            }
        }
        if (replies.size() < commands.size() || refused.size() == options_.recipients.size()) {
            throw ClientError(ExitCode::refused, "server refused every recipient: " +
                                                     (refused.empty() ? "" : refused.front()));
        }
        expect(replies.back(), 354, "DATA");
        std::string data;
        proto::pop3::detail::append_multiline(data, message);  // RFC 5321 4.5.2 transparency
        result_.transcript.push_back("C: (" + std::to_string(message.size()) + " octets)");
        result_.transcript.push_back("C: .");
        connection_.write(data);
        const auto accepted = read();
        expect(accepted, 250, "the message");
        result_.final_reply = quote(accepted);
        if (!refused.empty()) {
            std::string text = "message sent, but the server refused some recipients:";
            for (const auto& line : refused) {
                text += "\n  " + line;
            }
            throw ClientError(ExitCode::refused, text);
        }
    }

    static bool any_recipient_accepted(const std::vector<ParsedReply>& replies) {
        return std::any_of(replies.begin() + 1, replies.end(), [](const ParsedReply& reply) {
            return reply.reply.code == 250 || reply.reply.code == 251;
        });
    }

    const SendOptions& options_;
    SendResult& result_;
    detail::Connection connection_;
    proto::smtp::ReplyParser parser_;
    std::string pending_;
    proto::smtp::EhloKeywords capabilities_;
};

}  // namespace

SendResult send_message(const SendOptions& options) {
    if (options.recipients.empty()) {
        throw ClientError(ExitCode::usage, "no recipient: give at least one --to");
    }
    SendResult result;
    Conversation(options, result).run();
    return result;
}

std::string compose_message(const std::string& from, const std::vector<std::string>& to,
                            const std::string& subject, const std::string& body) {
    if (subject.find_first_of("\r\n") != std::string::npos) {
        throw ClientError(ExitCode::usage, "the subject must be one line");
    }
    const std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    char date[64];
    std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &utc);
    std::random_device random;
    const auto at = from.find('@');
    const std::string domain = at == std::string::npos ? "localhost" : from.substr(at + 1);

    std::string message = "From: <" + from + ">\r\nTo: ";
    for (std::size_t i = 0; i < to.size(); ++i) {
        message += (i == 0 ? "<" : ", <") + to[i] + ">";
    }
    message += "\r\nSubject: " + subject + "\r\nDate: " + date + "\r\nMessage-ID: <" +
               std::to_string(now) + "." + std::to_string(random()) + "@" + domain +
               ">\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body;
    if (!message.ends_with("\n")) {
        message += "\r\n";
    }
    return message;
}

}  // namespace mh::reference::clients
