#include "proto/smtp/session.hpp"

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "proto/common/ascii.hpp"
#include "proto/common/line_framer.hpp"
#include "proto/common/write_batch.hpp"
#include "proto/sasl/base64.hpp"
#include "proto/sasl/plain.hpp"
#include "proto/smtp/command.hpp"
#include "proto/smtp/data_framing.hpp"

namespace mh::proto::smtp {
namespace {

// "<address> " to echo in a reply, or nothing when the address is not ASCII: replies stay ASCII
// unless the client asked for UTF-8 in them (RFC 6531 3.7.4).
struct QuotedAddress {
    std::string_view address;
};

// The pieces a reply's text is made of, appended to the output buffer in place.
void append_piece(std::string& out, std::string_view text) {
    out.append(text);
}
void append_piece(std::string& out, QuotedAddress quoted) {
    const std::string_view address = quoted.address;
    const bool ascii = std::all_of(address.begin(), address.end(),
                                   [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    if (ascii) {
        out += '<';
        out.append(address);
        out += "> ";
    }
}

// Client text echoed in a reply (a parameter keyword, or a syntax error's reason, which may
// quote the client's line), cut to `shown` octets and "...": a command line holds up to 512
// octets and so does a reply line (RFC 5321 4.5.3.1.4, 4.5.3.1.5), so the reply's own words
// must fit beside the echo.
struct Shortened {
    std::string_view text;
    std::size_t shown;
};
void append_piece(std::string& out, Shortened piece) {
    out.append(piece.text.substr(0, piece.shown));
    if (piece.text.size() > piece.shown) {
        out.append("...");
    }
}
constexpr std::size_t shown_keyword = 64;
constexpr std::size_t shown_reason = 256;

// Keywords are case-insensitive (RFC 5321 2.4): replies name them in upper case.
std::string keyword_for_reply(std::string_view keyword) {
    std::string shown;
    append_piece(shown, Shortened{keyword, shown_keyword});
    return ascii_upper(shown);
}

// Sequencing rules of each verb, checked before its handler runs.
struct VerbRule {
    Verb verb;
    bool needs_hello;      // 503 before EHLO/HELO (RFC 5321 4.1.4)
    bool allowed_in_bdat;  // may come between BDAT chunks of one transaction (RFC 3030 2)
};
constexpr std::array<VerbRule, 14> verb_rules{{
    {Verb::ehlo, false, true},
    {Verb::helo, false, true},
    {Verb::mail, true, false},
    {Verb::rcpt, true, false},
    {Verb::data, true, false},
    {Verb::rset, false, true},
    {Verb::noop, false, true},
    {Verb::quit, false, true},
    {Verb::vrfy, false, false},
    {Verb::expn, false, false},
    {Verb::help, false, true},
    {Verb::starttls, false, false},
    {Verb::auth, true, false},
    {Verb::bdat, true, true},
}};

const VerbRule& rule_of(Verb verb) {
    return *std::find_if(verb_rules.begin(), verb_rules.end(),
                         [verb](const VerbRule& rule) { return rule.verb == verb; });
}

// TCP-info of RFC 5321 4.4 wants an address literal (4.1.3): "[192.0.2.1]", "[IPv6:::1]".
std::string address_literal(std::string_view address) {
    if (address.starts_with('[')) {
        return std::string(address);
    }
    const bool ipv6 = address.find(':') != std::string_view::npos;
    return (ipv6 ? "[IPv6:" : "[") + std::string(address) + "]";
}

struct Refusal {
    int code;
    std::string_view enhanced;
    std::string text;
};

// Everything one connection changes, with a new session's values: Session::reset() assigns a
// fresh one, so a field added here is reset without anyone remembering to.
struct ConnectionState {
    enum class Phase {
        not_started,
        awaiting_tls,  // implicit TLS: nothing is said before the handshake
        command,
        sasl,  // the next line is a SASL response, not a command
        data,
        bdat_chunk,
        delivering,   // a DeliverEvent awaits delivery_done()
        tls_pending,  // STARTTLS accepted: plaintext is discarded until tls_established()
        closed,
    };
    enum class SaslStep { plain, login_user, login_password };

    Phase phase = Phase::not_started;

    // What the client has established.
    bool hello_done = false;
    bool extended = false;  // EHLO rather than HELO
    std::string helo;
    bool tls = false;
    std::string authenticated_as;
    std::optional<Envelope> transaction;  // from MAIL until end of data or RSET
    std::size_t messages = 0;
    unsigned errors = 0;

    SaslStep sasl_step = SaslStep::plain;
    std::string login_user;

    std::optional<DataReader> data;
    std::optional<ContentSink> bdat_content;  // from the first BDAT of a transaction
    std::optional<ChunkReader> chunk;
    std::optional<Refusal> chunk_refusal;  // answer once the refused chunk is skipped
    bool chunk_last = false;
};

}  // namespace

struct Session::Impl : ConnectionState {
    SessionConfig config;
    Policy& policy;
    std::string size_keyword;  // the EHLO line "SIZE <limit>", fixed by the config

    // Buffers that outlive reset(), with their capacity. `out` is empty whenever a public call
    // returns (each one flushes), so reset() has nothing to clear there.
    LineFramer framer;
    std::string out;  // replies not yet handed out; one WriteEvent per put() when possible
    // Events not yet handed out, from events[next_event] on; a vector reused for the whole
    // session (a deque of these large variants allocated a block every event or two).
    std::vector<Event> events;
    std::size_t next_event = 0;

    Impl(SessionConfig cfg, Policy& pol)
        : config(std::move(cfg)),
          policy(pol),
          size_keyword("SIZE " + std::to_string(config.limits.max_message_size)),
          framer(std::max(config.limits.command_line, config.limits.sasl_line)) {
        events.reserve(4);
        out.reserve(512);  // a reply line's limit (RFC 5321 4.5.3.1.5): most batches fit
    }

    void reset() {
        static_cast<ConnectionState&>(*this) = ConnectionState{};
        framer.reset();
        events.clear();
        next_event = 0;
    }

    // --- output -------------------------------------------------------------------------

    // A one-line reply whose text is the concatenation of `text`, written into `out` in place.
    template <typename... Text>
    void send(int code, std::string_view enhanced, const Text&... text) {
        begin_reply_line(out, code, true, enhanced);
        (append_piece(out, text), ...);
        out += "\r\n";
    }
    void flush() {
        if (!out.empty()) {
            events.emplace_back(WriteEvent{take_write_batch(out)});
        }
    }
    void close() {
        flush();
        events.emplace_back(CloseEvent{});
        phase = Phase::closed;
    }
    // A reply that rejects what the client sent; enough of them end the session (4.2.5 421).
    template <typename... Text>
    void fail(int code, std::string_view enhanced, const Text&... text) {
        send(code, enhanced, text...);
        ++errors;
        if (errors >= config.limits.hard_error_limit) {
            send(421, "4.7.0", config.hostname, " Too many errors, closing connection");
            close();
        }
    }
    void fail(const Refusal& refusal) { fail(refusal.code, refusal.enhanced, refusal.text); }

    void greet() {
        send(220, "", config.hostname, " ESMTP mailharness ready");
        phase = Phase::command;
    }

    void reset_transaction() {
        transaction.reset();
        data.reset();
        bdat_content.reset();
        chunk.reset();
        chunk_refusal.reset();
    }

    // --- input --------------------------------------------------------------------------

    std::size_t put(std::string_view bytes) {
        std::size_t pos = 0;
        while (pos < bytes.size()) {
            const std::string_view rest = bytes.substr(pos);
            switch (phase) {
                case Phase::command:
                case Phase::sasl:
                    pos += framer.put(rest);
                    if (framer.has_line()) {
                        // In place: nothing in handle_line() puts into the framer, and what
                        // outlives the line (the parsed command, SASL state) is copied.
                        handle_line(framer.line());
                        framer.reset();
                    }
                    break;
                case Phase::data:
                    pos += data->put(rest);
                    if (data->done()) {
                        finish_message(data->content());
                        data.reset();
                    }
                    break;
                case Phase::bdat_chunk:
                    pos += chunk_refusal ? chunk->skip(rest) : chunk->put(rest, *bdat_content);
                    if (chunk->done()) {
                        finish_chunk();
                    }
                    break;
                case Phase::delivering:
                    flush();
                    return pos;
                case Phase::not_started:
                case Phase::awaiting_tls:
                case Phase::tls_pending:
                case Phase::closed:
                    // Nothing may be said now (RFC 3207 4.2 for STARTTLS): drop it.
                    pos = bytes.size();
                    break;
            }
        }
        flush();
        return pos;
    }

    void handle_line(const FramedLineView& line) {
        if (phase == Phase::sasl &&
            (line.too_long || line.text.size() + 2 > config.limits.sasl_line)) {
            phase = Phase::command;
            fail(500, "5.5.6", "Authentication Exchange line is too long (RFC 4954 6)");
            return;
        }
        if (line.too_long) {
            fail(500, "5.5.2", "Line too long (RFC 5321 4.5.3.1)");
            return;
        }
        if (line.bare_lf || line.bare_cr || line.nul) {
            if (phase == Phase::sasl) {
                phase = Phase::command;
            }
            fail(500, "5.5.2",
                 line.nul ? "NUL not allowed in a command line"
                          : "Bare CR or LF not allowed in a command line (RFC 5321 2.3.8)");
            return;
        }
        if (phase == Phase::sasl) {
            handle_sasl_response(line.text);
            return;
        }
        if (line.text.size() + 2 > config.limits.command_line &&
            !istarts_with(line.text, "AUTH ")) {
            fail(500, "5.5.2", "Line too long (RFC 5321 4.5.3.1.4)");
            return;
        }
        const bool utf8 = transaction && transaction->smtputf8;
        auto parsed = parse_command(line.text, CommandParseOptions{utf8});
        if (!parsed) {
            reject_syntax(parsed.error());
            return;
        }
        handle_command(std::move(parsed).value());
    }

    void reject_syntax(const CommandError& error) {
        switch (error.kind) {
            case CommandErrorKind::unknown_verb:
                fail(500, "5.5.1", "Command not recognized");
                return;
            case CommandErrorKind::syntax:
            case CommandErrorKind::bad_parameter:
                fail(501, "5.5.4", Shortened{error.reason, shown_reason});
                return;
            case CommandErrorKind::bad_sender:
                fail(501, "5.1.7", Shortened{error.reason, shown_reason});
                return;
            case CommandErrorKind::bad_recipient:
                fail(501, "5.1.3", Shortened{error.reason, shown_reason});
                return;
        }
    }

    void handle_command(Command command) {
        const VerbRule& rule = rule_of(command.verb);
        if (command.verb == Verb::bdat) {
            // The chunk follows the command whatever the answer: framing comes first.
            handle_bdat(std::get<BdatArgs>(command.args));
            return;
        }
        if (rule.needs_hello && !hello_done) {
            fail(503, "5.5.1", "Send EHLO or HELO first");
            return;
        }
        if (bdat_content && !rule.allowed_in_bdat) {
            fail(503, "5.5.1", "Only BDAT, RSET, NOOP or QUIT may follow BDAT (RFC 3030 2)");
            return;
        }
        switch (command.verb) {
            case Verb::ehlo:
            case Verb::helo:
                handle_hello(command.verb, std::get<HelloArgs>(command.args));
                return;
            case Verb::mail:
                handle_mail(std::get<MailArgs>(command.args));
                return;
            case Verb::rcpt:
                handle_rcpt(std::get<RcptArgs>(command.args));
                return;
            case Verb::data:
                handle_data();
                return;
            case Verb::rset:
                reset_transaction();
                send(250, "2.0.0", "Reset OK");
                return;
            case Verb::noop:
                send(250, "2.0.0", "OK");
                return;
            case Verb::quit:
                send(221, "2.0.0", config.hostname, " closing connection");
                close();
                return;
            case Verb::vrfy:
                handle_vrfy(std::get<TextArg>(command.args).text);
                return;
            case Verb::expn:
                handle_expn(std::get<TextArg>(command.args).text);
                return;
            case Verb::help:
                send(214, "2.0.0",
                     "Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY EXPN HELP "
                     "STARTTLS AUTH");
                return;
            case Verb::starttls:
                handle_starttls();
                return;
            case Verb::auth:
                handle_auth(std::get<AuthArgs>(command.args));
                return;
            case Verb::bdat:
                return;
        }
    }

    // --- EHLO / HELO (RFC 5321 4.1.1.1) ------------------------------------------------

    bool auth_offered() const { return tls || !config.auth_requires_tls; }

    void handle_hello(Verb verb, const HelloArgs& args) {
        reset_transaction();  // EHLO/HELO also resets the transaction (4.1.4)
        hello_done = true;
        extended = verb == Verb::ehlo;
        helo = args.domain;
        if (!extended) {
            send(250, "", config.hostname);
            return;
        }
        std::array<std::string_view, 10> keywords;
        std::size_t count = 0;
        keywords[count++] = "PIPELINING";
        keywords[count++] = size_keyword;
        keywords[count++] = "8BITMIME";
        keywords[count++] = "ENHANCEDSTATUSCODES";
        if (config.tls_available && !tls) {
            keywords[count++] = "STARTTLS";
        }
        if (auth_offered()) {
            keywords[count++] = "AUTH PLAIN LOGIN";
        }
        keywords[count++] = "SMTPUTF8";
        keywords[count++] = "CHUNKING";
        if (config.vrfy_enabled) {
            keywords[count++] = "VRFY";
        }
        keywords[count++] = "HELP";
        begin_reply_line(out, 250, false, "");
        out.append(config.hostname).append(" greets ").append(args.domain).append("\r\n");
        for (std::size_t i = 0; i < count; ++i) {
            begin_reply_line(out, 250, i + 1 == count, "");
            out.append(keywords[i]).append("\r\n");
        }
    }

    // --- MAIL (RFC 5321 4.1.1.2) -------------------------------------------------------

    void handle_mail(const MailArgs& args) {
        if (transaction) {
            fail(503, "5.5.1", "Sender already given; RSET first");
            return;
        }
        if (config.kind == ListenerKind::submission && authenticated_as.empty()) {
            // RFC 6409 4.3 / RFC 4954 6: submission needs an authenticated client.
            fail(
                530, "5.7.0",
                auth_offered() ? "Authentication required" : "Must issue a STARTTLS command first");
            return;
        }
        if (messages >= config.limits.max_messages_per_session) {
            send(421, "4.7.0", config.hostname, " Too many messages in one session, closing");
            close();
            return;
        }
        Envelope envelope;
        for (auto at = args.params.begin(); at != args.params.end(); ++at) {
            const EsmtpParam param = *at;
            const auto same = [&param](const EsmtpParam& other) {
                return iequals(other.keyword, param.keyword);
            };
            if (std::any_of(args.params.begin(), at, same)) {
                fail(501, "5.5.4", "Duplicate MAIL parameter ", keyword_for_reply(param.keyword));
                return;
            }
            if (auto refusal = apply_mail_param(param, envelope)) {
                fail(*refusal);
                return;
            }
        }
        envelope.mail_from = args.path.canonical_address();
        envelope.helo = helo;
        envelope.authenticated_as = authenticated_as;
        envelope.tls = tls;
        transaction = std::move(envelope);
        send(250, "2.1.0", "Sender ", QuotedAddress{transaction->mail_from}, "OK");
    }

    std::optional<Refusal> apply_mail_param(const EsmtpParam& param, Envelope& envelope) const {
        const std::string_view value = param.value.value_or(std::string_view{});
        if (iequals(param.keyword, "SIZE")) {  // RFC 1870 6
            const bool digits =
                !value.empty() && value.find_first_not_of("0123456789") == std::string_view::npos;
            if (!digits) {
                return Refusal{501, "5.5.4", "SIZE needs one decimal value (RFC 1870 6)"};
            }
            // Any number of digits is a size; one too big for 64 bits is over the limit too.
            std::size_t size = 0;
            bool over = false;
            for (const char digit : value) {
                const auto add = static_cast<std::size_t>(digit - '0');
                const std::size_t max = config.limits.max_message_size;
                over = over || add > max || size > (max - add) / 10;
                size = over ? size : size * 10 + add;
            }
            if (over || size > config.limits.max_message_size) {
                return Refusal{552, "5.3.4",
                               "Message size exceeds fixed maximum message size (RFC 1870 6.1)"};
            }
            envelope.declared_size = size;
            return std::nullopt;
        }
        if (iequals(param.keyword, "BODY")) {  // RFC 6152 2
            // Parameter values are case-insensitive like the keywords (RFC 5321 2.4).
            if (iequals(value, "8BITMIME") || iequals(value, "7BIT")) {
                envelope.body_8bitmime = iequals(value, "8BITMIME");
                return std::nullopt;
            }
            return Refusal{501, "5.5.4", "BODY must be 7BIT or 8BITMIME (RFC 6152 2)"};
        }
        if (iequals(param.keyword, "SMTPUTF8")) {  // RFC 6531 3.4
            if (param.value) {
                return Refusal{501, "5.5.4", "SMTPUTF8 takes no value (RFC 6531 3.4)"};
            }
            envelope.smtputf8 = true;
            return std::nullopt;
        }
        if (iequals(param.keyword, "AUTH") && param.value) {
            // RFC 4954 5: accepted; the claimed submitter is not trusted, so it is dropped.
            return std::nullopt;
        }
        return Refusal{555, "5.5.4",
                       "MAIL parameter " + keyword_for_reply(param.keyword) +
                           " not recognized (RFC 5321 4.1.1.11)"};
    }

    // --- RCPT (RFC 5321 4.1.1.3) -------------------------------------------------------

    void handle_rcpt(const RcptArgs& args) {
        if (!transaction) {
            fail(503, "5.5.1", "Need MAIL before RCPT");
            return;
        }
        if (!args.params.empty()) {
            fail(555, "5.5.4", "RCPT parameter ", keyword_for_reply(args.params.front().keyword),
                 " not recognized");
            return;
        }
        if (transaction->recipients.size() >= config.limits.max_recipients) {
            fail(452, "4.5.3", "Too many recipients (RFC 5321 4.5.3.1.10)");
            return;
        }
        const std::string address = args.path.canonical_address();
        const RecipientVerdict verdict =
            policy.verify_recipient(address, !authenticated_as.empty());
        switch (verdict) {
            case RecipientVerdict::local:
            case RecipientVerdict::relay:
                transaction->recipients.push_back(address);
                transaction->verdicts.push_back(verdict);
                send(250, "2.1.5", "Recipient ", QuotedAddress{address}, "OK");
                return;
            case RecipientVerdict::unknown_user:
                fail(550, "5.1.1", QuotedAddress{address}, "No such user");
                return;
            case RecipientVerdict::relay_denied:
                // RFC 5321 3.6.2: refusing to relay SHOULD be a 550.
                fail(550, "5.7.1", "Relaying denied");
                return;
        }
    }

    // --- DATA, BDAT and the end of a message -------------------------------------------

    std::optional<Refusal> transaction_refusal() const {
        if (!transaction) {
            return Refusal{503, "5.5.1", "Need MAIL and RCPT first"};
        }
        if (transaction->recipients.empty()) {
            return Refusal{554, "5.5.1", "No valid recipients"};  // RFC 5321 3.3, RFC 2920 3.1
        }
        return std::nullopt;
    }

    void handle_data() {
        if (auto refusal = transaction_refusal()) {
            fail(*refusal);
            return;
        }
        send(354, "", "Start mail input; end with <CRLF>.<CRLF>");
        data.emplace(config.limits.max_message_size, config.limits.text_line);
        phase = Phase::data;
    }

    void handle_bdat(const BdatArgs& args) {
        chunk.emplace(args.size);
        chunk_last = args.last;
        chunk_refusal.reset();
        if (!hello_done) {
            chunk_refusal = Refusal{503, "5.5.1", "Send EHLO or HELO first"};
        } else if (auto refusal = transaction_refusal()) {
            chunk_refusal = std::move(refusal);
        } else if (!bdat_content) {
            bdat_content.emplace(config.limits.max_message_size, config.limits.text_line);
        }
        phase = Phase::bdat_chunk;
        if (chunk->done()) {
            finish_chunk();
        }
    }

    void finish_chunk() {
        const std::uint64_t size = bdat_content ? bdat_content->total() : 0;
        chunk.reset();
        phase = Phase::command;
        if (chunk_refusal) {
            const Refusal refusal = std::move(*chunk_refusal);
            chunk_refusal.reset();
            fail(refusal);
            return;
        }
        if (chunk_last) {
            ContentSink content = std::move(*bdat_content);
            bdat_content.reset();
            finish_message(content);
            return;
        }
        if (bdat_content->overflowed()) {
            reset_transaction();
            fail(552, "5.3.4", "Message size exceeds fixed maximum message size");
            return;
        }
        send(250, "2.0.0", std::to_string(size), " octets received");
    }

    // End of DATA or BDAT LAST: refuse, or hand the message to the loop for delivery. The content
    // is taken after the checks: the sink judges what it holds when asked.
    void finish_message(ContentSink& sink) {
        phase = Phase::command;
        if (sink.overflowed()) {
            reset_transaction();
            fail(552, "5.3.4", "Message size exceeds fixed maximum message size");
            return;
        }
        const ContentFlags flags = sink.flags();  // a scan of the content: read once
        if (flags.long_line) {
            reset_transaction();
            fail(500, "5.5.2",
                 "Message has a line longer than " + std::to_string(config.limits.text_line) +
                     " octets (RFC 5321 4.5.3.1.6)");
            return;
        }
        if (!flags.line_ends_clean() && config.bare_line_ends == BareLineEndPolicy::reject) {
            reset_transaction();
            fail(550, "5.6.0",
                 flags.nul ? "Message contains NUL octets"
                           : "Message contains bare CR or LF (RFC 5321 2.3.8)");
            return;
        }
        std::string message = received_field() + sink.take();
        DeliverEvent deliver{std::move(*transaction), std::move(message)};
        reset_transaction();
        flush();
        events.emplace_back(std::move(deliver));
        phase = Phase::delivering;
    }

    // RFC 5321 4.4 trace field; protocol names of RFC 3848 and RFC 6531 4.3.
    std::string received_field() const {
        std::string protocol = extended ? "ESMTP" : "SMTP";
        if (tls) {
            protocol += 'S';
        }
        if (!authenticated_as.empty()) {
            protocol += 'A';
        }
        if (transaction->smtputf8) {
            protocol = "UTF8" + protocol.substr(protocol.starts_with("E") ? 1 : 0);
        }
        std::string field = "Received: from " + helo;
        if (!config.peer_address.empty()) {
            field += " (" + address_literal(config.peer_address) + ")";
        }
        field += "\r\n\tby " + config.hostname + " with " + protocol + ";\r\n\t";
        field += config.received_date ? config.received_date() : "Thu, 1 Jan 1970 00:00:00 +0000";
        field += "\r\n";
        return field;
    }

    void delivery_done(DeliveryStatus status) {
        if (phase != Phase::delivering) {
            return;
        }
        phase = Phase::command;
        switch (status) {
            case DeliveryStatus::stored:
                ++messages;
                send(250, "2.0.0", "Message accepted for delivery");
                break;
            case DeliveryStatus::temporary_failure:
                send(451, "4.3.0", "Temporary failure storing the message, try again later");
                break;
            case DeliveryStatus::insufficient_storage:
                send(452, "4.3.1", "Insufficient system storage");
                break;
            case DeliveryStatus::permanent_failure:
                send(554, "5.3.0", "Message could not be stored");
                break;
        }
        flush();
    }

    // --- VRFY / EXPN (RFC 5321 3.5) ----------------------------------------------------

    void handle_vrfy(const std::string& query) {
        const auto answer = config.vrfy_enabled ? policy.verify_address(query) : std::nullopt;
        if (!answer) {
            // 3.5.3: 252 when the server will not say, but would try to deliver.
            send(252, "2.5.0", "Cannot VRFY user, but will accept message and attempt delivery");
            return;
        }
        send(250, "2.1.5", *answer);
    }

    void handle_expn(const std::string& query) {
        if (!config.expn_enabled) {
            send(502, "5.5.1", "EXPN not available");
            return;
        }
        const auto answer = policy.verify_address(query);
        if (!answer) {
            fail(550, "5.1.1", "No such mailing list");
            return;
        }
        send(250, "2.1.5", *answer);
    }

    // --- STARTTLS (RFC 3207) -----------------------------------------------------------

    void handle_starttls() {
        if (tls) {
            fail(503, "5.5.1", "TLS already active");
            return;
        }
        if (!config.tls_available) {
            send(454, "4.7.0", "TLS not available");
            return;
        }
        if (transaction) {
            fail(503, "5.5.1", "STARTTLS not allowed during a mail transaction");
            return;
        }
        send(220, "2.0.0", "Ready to start TLS");
        flush();
        events.emplace_back(StartTlsEvent{});
        framer.reset();
        phase = Phase::tls_pending;
    }

    void tls_established() {
        if (phase == Phase::not_started) {
            tls = true;  // implicit TLS with the handshake done before start()
        } else if (phase == Phase::awaiting_tls) {
            tls = true;
            greet();
        } else if (phase == Phase::tls_pending) {
            // RFC 3207 4.2: forget everything learnt from the client; EHLO is needed again.
            tls = true;
            hello_done = false;
            extended = false;
            helo.clear();
            authenticated_as.clear();
            reset_transaction();
            phase = Phase::command;
        }
        flush();
    }

    // --- AUTH (RFC 4954, mechanisms PLAIN of RFC 4616 and LOGIN) -----------------------

    void handle_auth(const AuthArgs& args) {
        if (!extended) {
            fail(503, "5.5.1", "Send EHLO first (RFC 4954 4)");
            return;
        }
        if (!authenticated_as.empty()) {
            fail(503, "5.5.1", "Already authenticated");
            return;
        }
        if (transaction) {
            fail(503, "5.5.1", "AUTH not allowed during a mail transaction");
            return;
        }
        if (!auth_offered()) {
            fail(538, "5.7.11", "Encryption required for requested authentication mechanism");
            return;
        }
        if (args.mechanism == "PLAIN") {
            sasl_step = SaslStep::plain;
        } else if (args.mechanism == "LOGIN") {
            sasl_step = SaslStep::login_user;
        } else {
            fail(504, "5.5.4", "Unrecognized authentication type");
            return;
        }
        phase = Phase::sasl;
        if (args.initial_response) {
            handle_sasl_response(*args.initial_response);
        } else {
            send_challenge();
        }
    }

    void send_challenge() {
        switch (sasl_step) {
            case SaslStep::plain:
                out += "334 \r\n";
                return;
            case SaslStep::login_user:
                out += "334 " + std::string(sasl::login_username_challenge) + "\r\n";
                return;
            case SaslStep::login_password:
                out += "334 " + std::string(sasl::login_password_challenge) + "\r\n";
                return;
        }
    }

    void handle_sasl_response(std::string_view response) {
        phase = Phase::command;
        if (response == "*") {
            fail(501, "5.7.0", "Authentication cancelled");
            return;
        }
        const auto decoded =
            response == "=" ? std::optional<std::string>("") : sasl::base64_decode(response);
        if (!decoded) {
            fail(501, "5.5.2", "Cannot decode base64 response");
            return;
        }
        switch (sasl_step) {
            case SaslStep::plain: {
                const auto credentials = sasl::parse_plain(*decoded);
                if (!credentials) {
                    fail(501, "5.5.2", "Malformed PLAIN response (RFC 4616 2)");
                    return;
                }
                finish_auth(credentials->authzid, credentials->authcid, credentials->password);
                return;
            }
            case SaslStep::login_user:
                login_user = *decoded;
                sasl_step = SaslStep::login_password;
                phase = Phase::sasl;
                send_challenge();
                return;
            case SaslStep::login_password: {
                const std::string user = std::move(login_user);
                login_user.clear();
                finish_auth("", user, *decoded);
                return;
            }
        }
    }

    void finish_auth(std::string_view authzid, std::string_view user, std::string_view password) {
        auto identity = policy.authenticate(authzid, user, password);
        if (!identity) {
            fail(535, "5.7.8", "Authentication credentials invalid");
            return;
        }
        authenticated_as = std::move(*identity);
        send(235, "2.7.0", "Authentication successful");
    }
};

Session::Session(SessionConfig config, Policy& policy)
    : impl_(std::make_unique<Impl>(std::move(config), policy)) {}
Session::~Session() = default;
Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&&) noexcept = default;

void Session::start() {
    if (impl_->phase != Impl::Phase::not_started) {
        return;
    }
    if (impl_->config.kind == ListenerKind::smtps && !impl_->tls) {
        impl_->phase = Impl::Phase::awaiting_tls;
        return;
    }
    impl_->greet();
    impl_->flush();
}

std::size_t Session::put(std::string_view bytes) {
    return impl_->put(bytes);
}

void Session::reset() {
    impl_->reset();
}

void Session::put_eof() {
    if (impl_->phase != Impl::Phase::closed) {
        impl_->close();
    }
}

std::optional<Event> Session::next_event() {
    auto& events = impl_->events;
    if (impl_->next_event == events.size()) {
        return std::nullopt;
    }
    Event event = std::move(events[impl_->next_event++]);
    if (impl_->next_event == events.size()) {
        events.clear();  // keeps the capacity
        impl_->next_event = 0;
    }
    return event;
}

void Session::tls_established() {
    impl_->tls_established();
}

void Session::delivery_done(DeliveryStatus status) {
    impl_->delivery_done(status);
}

void Session::timed_out() {
    if (impl_->phase == Impl::Phase::closed) {
        return;
    }
    impl_->send(421, "4.4.2", impl_->config.hostname, " Timeout, closing connection");
    impl_->close();
}

bool Session::closed() const {
    return impl_->phase == Impl::Phase::closed;
}

unsigned Session::error_count() const {
    return impl_->errors;
}

}  // namespace mh::proto::smtp
