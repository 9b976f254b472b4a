#include "proto/pop3/session.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <iterator>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "proto/common/write_batch.hpp"
#include "proto/pop3/command.hpp"
#include "proto/pop3/detail/multiline.hpp"
#include "proto/sasl/base64.hpp"
#include "proto/sasl/plain.hpp"

namespace mh::proto::pop3 {
namespace {

// A batch of replies is handed out once it holds this much (see Session::put).
constexpr std::size_t output_batch_limit = 64 * 1024;
// Unanswered pipelined input kept at most; put() takes no more beyond it.
constexpr std::size_t input_backlog_limit = 64 * 1024;

// The pieces a reply's text is made of, appended to the output buffer in place.
void append_piece(std::string& out, std::string_view text) {
    out.append(text);
}
void append_piece(std::string& out, std::size_t number) {
    char digits[24];
    const auto end = std::to_chars(std::begin(digits), std::end(digits), number).ptr;
    out.append(digits, end);
}

std::string to_lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](char c) {
        return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    });
    return out;
}

}  // namespace

struct Session::Impl {
    SessionConfig config;
    Mailstore* store;
    State state = State::authorization;
    bool started = false;
    bool greeted = false;
    bool tls = false;
    bool awaiting_tls = false;  // STLS accepted: input is discarded until the handshake is done
    bool eof = false;
    bool sasl_pending = false;     // AUTH PLAIN sent "+ " and waits for the response line
    bool discarding_line = false;  // an overlong line is skipped up to its LF
    unsigned errors = 0;
    std::optional<std::string> user;  // name given by USER, waiting for PASS
    std::unique_ptr<Maildrop> maildrop;
    std::vector<bool> deleted;  // parallel to maildrop->messages()

    std::string input;
    std::size_t input_pos = 0;  // start of the unprocessed input
    std::string output;         // replies of the batch being built
    // Events not yet handed out, from events[next_event] on; one vector for the whole session.
    std::vector<Event> events;
    std::size_t next_event = 0;

    Impl(SessionConfig c, Mailstore& s) : config(std::move(c)), store(&s) {
        output.reserve(256);  // the greeting and most batches of replies fit
    }

    // --- replies -------------------------------------------------------------------------

    // "+OK", a space and the concatenation of `text` (when there is any), written in place.
    template <typename... Text>
    void ok(const Text&... text) {
        output += "+OK";
        if constexpr (sizeof...(text) > 0) {
            output += ' ';
            (append_piece(output, text), ...);
        }
        output += "\r\n";
    }

    // Every -ERR counts toward the hard limit; at the limit the session closes after the reply.
    template <typename... Text>
    void err(const Text&... text) {
        output += "-ERR ";
        (append_piece(output, text), ...);
        output += "\r\n";
        if (++errors >= config.hard_error_limit && state != State::closed) {
            close();
        }
    }

    void flush() {
        if (!output.empty()) {
            events.emplace_back(WriteEvent{take_write_batch(output)});
        }
    }

    // Without UPDATE: the maildrop is unlocked and nothing is deleted.
    void close() {
        flush();
        maildrop.reset();
        deleted.clear();
        state = State::closed;
        input.clear();
        input_pos = 0;
        events.emplace_back(CloseEvent{});
    }

    void greet() {
        if (greeted || !started || (config.implicit_tls && !tls)) {
            return;
        }
        greeted = true;
        // RFC 1939 7: the timestamp banner for APOP.
        const bool banner = config.apop_enabled && !config.apop_timestamp.empty();
        ok(config.hostname, " POP3 server ready", banner ? " " : "",
           banner ? std::string_view(config.apop_timestamp) : std::string_view());
    }

    bool login_allowed() const { return tls || !config.login_requires_tls; }

    // --- input ---------------------------------------------------------------------------

    std::size_t take(std::string_view bytes) {
        if (state == State::closed || awaiting_tls) {
            return bytes.size();  // RFC 2595 4: plaintext after STLS is never executed
        }
        const std::size_t backlog = input.size() - input_pos;
        const std::size_t room = backlog >= input_backlog_limit ? 0 : input_backlog_limit - backlog;
        const std::size_t taken = std::min(room, bytes.size());
        input.erase(0, input_pos);
        input_pos = 0;
        input.append(bytes.substr(0, taken));
        process();
        return taken;
    }

    // Answers complete lines until the batch is full or no complete line is left.
    void process() {
        while (state != State::closed && !awaiting_tls && output.size() < output_batch_limit) {
            const std::size_t limit = sasl_pending ? config.sasl_line : config.command_line;
            const auto lf = input.find('\n', input_pos);
            if (lf == std::string::npos) {
                if (input.size() - input_pos > limit) {
                    discarding_line = true;  // bounded memory: drop the overlong line's bytes
                    input.clear();
                    input_pos = 0;
                }
                if (eof) {
                    close();
                }
                break;
            }
            std::string_view line(input.data() + input_pos, lf - input_pos);
            const bool too_long = discarding_line || line.size() + 1 > limit;
            input_pos = lf + 1;
            discarding_line = false;
            if (!line.empty() && line.back() == '\r') {
                line.remove_suffix(1);
            }
            if (too_long) {
                sasl_pending = false;
                err("line too long");
            } else if (sasl_pending) {
                sasl_response(line);
            } else {
                command(line);
            }
        }
        if (input_pos == input.size()) {
            input.clear();
            input_pos = 0;
        }
    }

    // --- commands ------------------------------------------------------------------------

    void command(std::string_view line) {
        const auto parsed = parse_command(line);
        // The state is checked before the argument count, so a line that names a verb gets
        // the state's refusal first whatever its arguments.
        if (!parsed && parsed.error().kind != CommandErrorKind::wrong_argument_count) {
            err(parsed.error().reason);
            return;
        }
        const VerbRule& rule = verb_rule(parsed ? parsed->verb : *parsed.error().verb);
        const bool allowed =
            state == State::authorization ? rule.in_authorization : rule.in_transaction;
        if (!allowed) {
            err(rule.name, " not valid in the ",
                state == State::authorization ? "AUTHORIZATION" : "TRANSACTION", " state");
            return;
        }
        if (!parsed) {
            err("syntax: ", rule.usage);
            return;
        }
        const auto args = parsed->arguments();
        switch (parsed->verb) {
            case Verb::user:
                return on_user(args[0]);
            case Verb::pass:
                return on_pass(args[0]);
            case Verb::apop:
                return on_apop(args[0], args[1]);
            case Verb::auth:
                return on_auth(args);
            case Verb::capa:
                return on_capa();
            case Verb::stls:
                return on_stls();
            case Verb::quit:
                return on_quit();
            case Verb::stat:
                return on_stat();
            case Verb::list:
                return on_list(args);
            case Verb::retr:
                return on_retr(args[0]);
            case Verb::dele:
                return on_dele(args[0]);
            case Verb::noop:
                return ok();
            case Verb::rset:
                return on_rset();
            case Verb::top:
                return on_top(args[0], args[1]);
            case Verb::uidl:
                return on_uidl(args);
        }
    }

    // --- AUTHORIZATION -------------------------------------------------------------------

    bool refuse_before_tls() {
        if (login_allowed()) {
            return false;
        }
        err("[AUTH] login requires TLS: issue STLS first");
        return true;
    }

    void on_user(std::string_view name) {
        user.reset();
        if (refuse_before_tls()) {
            return;
        }
        user = std::string(name);
        ok("send PASS");  // the same answer for every name: no account enumeration
    }

    void on_pass(std::string_view password) {
        if (refuse_before_tls()) {
            return;
        }
        if (!user) {
            err("send USER first");
            return;
        }
        const std::string name = std::exchange(user, std::nullopt).value();
        open(store->authenticate(name, password));
    }

    void on_apop(std::string_view name, std::string_view digest) {
        user.reset();
        if (!config.apop_enabled || config.apop_timestamp.empty()) {
            err("APOP not available");
            return;
        }
        if (refuse_before_tls()) {
            return;
        }
        const bool well_formed =
            digest.size() == 32 && std::all_of(digest.begin(), digest.end(), [](char c) {
                return std::isxdigit(static_cast<unsigned char>(c)) != 0;
            });
        if (!well_formed) {
            err("[AUTH] digest must be 32 hex digits");
            return;
        }
        open(store->authenticate_apop(name, config.apop_timestamp, to_lower(digest)));
    }

    void on_auth(std::span<const std::string_view> args) {
        user.reset();
        if (args.empty()) {
            // Not in RFC 5034; the common listing of mechanisms (as CAPA's SASL line has it).
            ok();
            output += "PLAIN\r\n.\r\n";
            return;
        }
        if (to_lower(args[0]) != "plain") {
            err("unsupported SASL mechanism");
            return;
        }
        if (refuse_before_tls()) {
            return;
        }
        if (args.size() == 2) {
            // RFC 5034 4: "=" is an initial response of zero length.
            sasl_response(args[1] == "=" ? std::string_view{} : args[1]);
            return;
        }
        sasl_pending = true;
        output += "+ \r\n";
    }

    void sasl_response(std::string_view line) {
        sasl_pending = false;
        if (line == "*") {
            err("AUTH exchange cancelled");  // RFC 5034 4: a "*" MUST be rejected with -ERR
            return;
        }
        const auto decoded = sasl::base64_decode(line);
        if (!decoded) {
            err("invalid base64 in SASL response");
            return;
        }
        const auto credentials = sasl::parse_plain(*decoded);
        if (!credentials) {
            err("[AUTH] malformed PLAIN message");
            return;
        }
        if (!credentials->authzid.empty() && credentials->authzid != credentials->authcid) {
            err("[AUTH] authorization identity not permitted");
            return;
        }
        open(store->authenticate(credentials->authcid, credentials->password));
    }

    // After good credentials: lock the maildrop (RFC 1939 4) and enter TRANSACTION.
    void open(const std::optional<std::string>& account) {
        if (!account) {
            err("[AUTH] invalid credentials");
            return;
        }
        std::unique_ptr<Maildrop> opened;
        switch (store->open(*account, opened)) {
            case LockResult::locked:
                break;
            case LockResult::in_use:
                err("[IN-USE] maildrop already locked by another session");
                return;
            case LockResult::failed:
                err("[SYS/PERM] unable to open the maildrop");
                return;
        }
        maildrop = std::move(opened);
        deleted.assign(maildrop->messages().size(), false);
        state = State::transaction;
        ok("maildrop locked and ready, ", count_left(), " messages (", octets_left(), " octets)");
    }

    void on_capa() {
        ok("capability list follows");
        output +=
            "TOP\r\nUSER\r\nSASL PLAIN\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\nUIDL\r\n";
        if (config.expire_days) {
            output += "EXPIRE ";
            append_piece(output, std::size_t{*config.expire_days});
            output += "\r\n";
        }
        if (config.login_delay_secs) {
            output += "LOGIN-DELAY ";
            append_piece(output, std::size_t{*config.login_delay_secs});
            output += "\r\n";
        }
        if (config.tls_available && !tls && state == State::authorization) {
            output += "STLS\r\n";
        }
        output.append("IMPLEMENTATION ").append(config.implementation).append("\r\n.\r\n");
    }

    void on_stls() {
        if (tls) {
            err("TLS already active");
            return;
        }
        if (!config.tls_available) {
            err("STLS not available");
            return;
        }
        user.reset();
        ok("begin TLS negotiation");
        flush();
        events.emplace_back(StartTlsEvent{});
        awaiting_tls = true;
        input.clear();  // pipelined plaintext after STLS is discarded (RFC 2595 4)
        input_pos = 0;
    }

    void on_quit() {
        if (state == State::authorization) {
            ok("bye");
            close();
            return;
        }
        // RFC 1939 6: the UPDATE state removes the messages marked as deleted.
        state = State::update;
        std::vector<std::size_t> doomed;
        for (std::size_t i = 0; i < deleted.size(); ++i) {
            if (deleted[i]) {
                doomed.push_back(i);
            }
        }
        if (doomed.empty() || maildrop->remove(doomed)) {
            ok("bye, ", doomed.size(), " messages deleted");
        } else {
            err("[SYS/TEMP] some deleted messages not removed");
        }
        if (state != State::closed) {
            close();
        }
    }

    // --- TRANSACTION ---------------------------------------------------------------------

    // The messages not marked as deleted, and their size.
    std::size_t count_left() const {
        return static_cast<std::size_t>(std::count(deleted.begin(), deleted.end(), false));
    }
    std::size_t octets_left() const {
        std::size_t octets = 0;
        const auto& messages = maildrop->messages();
        for (std::size_t i = 0; i < messages.size(); ++i) {
            octets += deleted[i] ? 0 : messages[i].octets;
        }
        return octets;
    }
    void drop_summary() { ok(count_left(), " messages (", octets_left(), " octets)"); }

    // A message-number argument (RFC 1939 5): 1-based, existing, not marked as deleted.
    std::optional<std::size_t> message_index(std::string_view arg) {
        const auto number = decimal_argument(arg);
        if (!number) {
            err("invalid message number: ", arg.substr(0, 40));
            return std::nullopt;
        }
        if (*number == 0 || *number > deleted.size()) {
            err("no such message");
            return std::nullopt;
        }
        if (deleted[*number - 1]) {
            err("message ", *number, " already deleted");
            return std::nullopt;
        }
        return *number - 1;
    }

    void on_stat() {
        // RFC 1939 5: exactly "+OK nn mm", nothing else may follow the size.
        ok(count_left(), " ", octets_left());
    }

    // LIST and UIDL share the shape: one line for a message, or a listing of all; `value` is
    // the message's octet count or its UID.
    template <typename Value>
    void listing(std::span<const std::string_view> args, Value value) {
        if (!args.empty()) {
            if (const auto index = message_index(args[0])) {
                ok(*index + 1, " ", value(*index));
            }
            return;
        }
        drop_summary();
        for (std::size_t i = 0; i < deleted.size(); ++i) {
            if (!deleted[i]) {
                append_piece(output, i + 1);
                output += ' ';
                append_piece(output, value(i));
                output += "\r\n";
            }
        }
        output += ".\r\n";
    }

    void on_list(std::span<const std::string_view> args) {
        listing(args, [&](std::size_t i) { return maildrop->messages()[i].octets; });
    }

    void on_uidl(std::span<const std::string_view> args) {
        listing(args, [&](std::size_t i) { return std::string_view(maildrop->messages()[i].uid); });
    }

    void on_retr(std::string_view arg) {
        if (const auto index = message_index(arg)) {
            ok(maildrop->messages()[*index].octets, " octets");
            detail::append_multiline(output, maildrop->read(*index));
        }
    }

    void on_top(std::string_view msg, std::string_view line_count) {
        const auto index = message_index(msg);
        if (!index) {
            return;
        }
        const auto lines = decimal_argument(line_count);
        if (!lines) {
            err("number of lines must be a non-negative number");
            return;
        }
        ok("top of message follows");
        detail::append_multiline(output, maildrop->read(*index), *lines);
    }

    void on_dele(std::string_view arg) {
        if (const auto index = message_index(arg)) {
            deleted[*index] = true;
            ok("message ", *index + 1, " deleted");
        }
    }

    void on_rset() {
        std::fill(deleted.begin(), deleted.end(), false);
        drop_summary();
    }
};

Session::Session(SessionConfig config, Mailstore& store)
    : impl_(std::make_unique<Impl>(std::move(config), store)) {}
Session::~Session() = default;
Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&&) noexcept = default;

void Session::start() {
    impl_->started = true;
    impl_->greet();
}

std::size_t Session::put(std::string_view bytes) {
    return impl_->take(bytes);
}

void Session::put_eof() {
    if (impl_->state == State::closed) {
        return;
    }
    impl_->eof = true;
    if (impl_->awaiting_tls) {
        impl_->close();
        return;
    }
    impl_->process();
}

std::optional<Event> Session::next_event() {
    auto& events = impl_->events;
    if (impl_->next_event == events.size()) {
        impl_->process();
        impl_->flush();
    }
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
    impl_->tls = true;
    impl_->awaiting_tls = false;
    impl_->greet();
}

void Session::timed_out() {
    if (impl_->state == State::closed) {
        return;
    }
    impl_->output += "-ERR [SYS/TEMP] autologout: idle for too long\r\n";
    impl_->close();
}

State Session::state() const {
    return impl_->state;
}

bool Session::encrypted() const {
    return impl_->tls;
}

}  // namespace mh::proto::pop3
