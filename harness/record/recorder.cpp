#include "harness/record/recorder.hpp"

#include <charconv>

#include "harness/run/channel.hpp"
#include "proto/common/ascii.hpp"
#include "proto/sasl/base64.hpp"
#include "proto/sasl/plain.hpp"

namespace mh::harness::record {

namespace {

constexpr std::string_view redacted = "REDACTED";

std::string word_at(std::string_view line, std::size_t index) {
    std::size_t pos = 0;
    for (std::size_t i = 0;; ++i) {
        pos = line.find_first_not_of(' ', pos);
        if (pos == std::string_view::npos) {
            return "";
        }
        const std::size_t end = std::min(line.find(' ', pos), line.size());
        if (i == index) {
            return std::string(line.substr(pos, end - pos));
        }
        pos = end;
    }
}

std::string join(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& line : lines) {
        out += (out.empty() ? "" : "\n") + line;
    }
    return out;
}

std::string decoded(std::string_view base64) {
    if (base64 == "=") {  // RFC 4954 4: an empty initial response
        return "";
    }
    return proto::sasl::base64_decode(base64).value_or("");
}

// The account name a SASL exchange logged in as, from the client's responses (the first one
// is the initial response when the AUTH line carried it); empty when it cannot be told.
std::string sasl_user(const std::string& mechanism, const std::vector<std::string>& responses) {
    if (responses.empty()) {
        return "";
    }
    const std::string first = decoded(responses.front());
    if (mechanism == "PLAIN") {
        const auto credentials = proto::sasl::parse_plain(first);
        return credentials ? credentials->authcid : "";
    }
    if (mechanism == "LOGIN") {
        return first;
    }
    if (mechanism == "CRAM-MD5") {  // RFC 2195 2: "user digest"
        const auto space = first.rfind(' ');
        return space == std::string::npos ? "" : first.substr(0, space);
    }
    return "";
}

}  // namespace

Recorder::Recorder(scenario::Protocol protocol, RecorderLimits limits)
    : protocol_(protocol), limits_(limits), framer_(limits.client_line) {}

void Recorder::stop(std::string why) {
    if (!stopped_) {
        stopped_ = true;
        session_.truncated = std::move(why);
    }
}

void Recorder::add(Step step) {
    if (session_.steps.size() >= limits_.steps) {
        stop("more than " + std::to_string(limits_.steps) + " steps");
        return;
    }
    session_.steps.push_back(std::move(step));
    send_group_open_ = false;
}

void Recorder::add_send(const std::string& line) {
    if (send_group_open_) {
        std::get<SendLines>(session_.steps.back()).lines.push_back(line);
        return;
    }
    add(SendLines{{line}});
    send_group_open_ = true;
}

bool Recorder::awaiting_tls_reply() const {
    for (const auto& pending : pending_) {
        if (pending.kind == Kind::starttls) {
            return true;
        }
    }
    return false;
}

// ---- client side ---------------------------------------------------------------------------

void Recorder::client_bytes(std::string_view bytes) {
    while (!bytes.empty() && !stopped_) {
        if (data_) {  // DATA content up to the end-of-data line
            bytes.remove_prefix(data_->put(bytes));
            if (data_->done()) {
                const auto& sink = data_->content();
                if (sink.overflowed()) {
                    add(SendBytes{static_cast<std::size_t>(sink.total())});
                } else {
                    add(SendData{data_->take()});
                }
                data_.reset();
                pending_.push_back({});
            }
            continue;
        }
        if (bdat_remaining_ > 0) {  // a BDAT chunk: exact octets
            const std::size_t n = std::min(bdat_remaining_, bytes.size());
            bdat_.append(bytes.substr(0, n));
            bytes.remove_prefix(n);
            bdat_remaining_ -= n;
            if (bdat_remaining_ == 0) {
                add(SendRaw{std::move(bdat_)});
                bdat_.clear();
                pending_.push_back({});
            }
            continue;
        }
        bytes.remove_prefix(framer_.put(bytes));
        if (framer_.has_line()) {
            auto line = framer_.take();
            if (line.too_long) {
                stop("a client line longer than " + std::to_string(limits_.client_line) +
                     " octets");
                return;
            }
            client_line(line.text);
        }
    }
}

void Recorder::client_line(const std::string& line) {
    if (login_ && login_->awaiting_response) {
        login_response(line);
        return;
    }
    const std::string verb = proto::ascii_upper(word_at(line, 0));
    if (protocol_ == scenario::Protocol::smtp) {
        smtp_command(line, verb);
    } else {
        pop3_command(line, verb);
    }
}

void Recorder::smtp_command(const std::string& line, const std::string& verb) {
    if (verb == "STARTTLS") {
        starttls_placeholder_ = session_.steps.size();
        add(StartTls{});
        pending_.push_back({Kind::starttls});
    } else if (verb == "AUTH") {
        const std::string mechanism = proto::ascii_upper(word_at(line, 1));
        const std::string initial = word_at(line, 2);
        start_login(mechanism, "",
                    initial.empty() ? line : "AUTH " + mechanism + " " + std::string(redacted));
        if (!initial.empty()) {
            login_->responses.push_back(initial);
        }
        pending_.push_back({Kind::login});
    } else if (verb == "DATA") {
        add_send(line);
        pending_.push_back({Kind::data});
    } else if (verb == "BDAT") {
        const std::string size = word_at(line, 1);
        std::size_t octets = 0;
        const auto [end, error] = std::from_chars(size.data(), size.data() + size.size(), octets);
        if (error != std::errc() || end != size.data() + size.size()) {
            add_send(line);  // the server will refuse it; no chunk follows
            pending_.push_back({});
        } else if (octets > limits_.data_kept) {
            stop("a BDAT chunk larger than " + std::to_string(limits_.data_kept) + " octets");
        } else {
            bdat_ = line + "\r\n";
            bdat_remaining_ = octets;
            if (octets == 0) {
                add(SendRaw{std::move(bdat_)});
                bdat_.clear();
                pending_.push_back({});
            }
        }
    } else {
        add_send(line);
        pending_.push_back({});
    }
}

void Recorder::pop3_command(const std::string& line, const std::string& verb) {
    if (verb == "STLS") {
        starttls_placeholder_ = session_.steps.size();
        add(StartTls{});
        pending_.push_back({Kind::starttls});
    } else if (verb == "USER") {
        start_login("USER", word_at(line, 1), line);
        pending_.push_back({Kind::login_user});
    } else if (verb == "PASS" && login_ && login_->mechanism == "USER") {
        login_->as_written.push_back(SendLines{{"PASS " + std::string(redacted)}});
        pending_.push_back({Kind::login});
    } else if (verb == "APOP") {
        start_login("APOP", word_at(line, 1),
                    "APOP " + word_at(line, 1) + " " + std::string(redacted));
        pending_.push_back({Kind::login});
    } else if (verb == "AUTH" && !word_at(line, 1).empty()) {
        const std::string mechanism = proto::ascii_upper(word_at(line, 1));
        const std::string initial = word_at(line, 2);
        start_login(mechanism, "",
                    initial.empty() ? line : "AUTH " + mechanism + " " + std::string(redacted));
        if (!initial.empty()) {
            login_->responses.push_back(initial);
        }
        pending_.push_back({Kind::login});
    } else {
        Pending pending;
        pending.body = run::pop3_command_has_body(line);
        if (verb == "STAT" || verb == "LIST" || verb == "UIDL") {
            pending.volatility = Volatility::mailbox_state;
        }
        pending.count_body = verb == "RETR" || verb == "TOP" || verb == "CAPA";
        add_send(verb == "PASS" ? "PASS " + std::string(redacted) : line);
        pending_.push_back(pending);
    }
}

void Recorder::start_login(const std::string& mechanism, const std::string& user,
                           const std::string& written) {
    LoginExchange login;
    login.placeholder = session_.steps.size();
    login.mechanism = mechanism;
    login.user = user;
    login.as_written.push_back(SendLines{{written}});
    add(Login{mechanism, "", true});
    login_ = std::move(login);
}

void Recorder::login_response(const std::string& line) {
    login_->responses.push_back(line);
    login_->as_written.push_back(SendLines{{line == "*" ? line : std::string(redacted)}});
    login_->awaiting_response = false;
    pending_.push_back({Kind::login});
}

// ---- server side ---------------------------------------------------------------------------

Recorder::Observed Recorder::observe(const proto::smtp::ParsedReply& parsed) const {
    Observed observed;
    const auto& reply = parsed.reply;
    observed.code = reply.code;
    observed.continuation = reply.code == 334;
    observed.positive = reply.code >= 200 && reply.code < 400;
    observed.expect.status = std::to_string(reply.code);
    observed.expect.enhanced = reply.enhanced;
    observed.expect.text_pattern = reply_pattern(join(reply.lines));
    observed.expect.notes = parsed.diagnostics;
    return observed;
}

Recorder::Observed Recorder::observe(const proto::pop3::ParsedResponse& parsed,
                                     const Pending& pending) const {
    Observed observed;
    observed.continuation = parsed.status == proto::pop3::Status::continuation;
    observed.positive = parsed.status == proto::pop3::Status::ok;
    observed.expect.status = proto::pop3::to_string(parsed.status);
    observed.expect.text_pattern = reply_pattern(parsed.text, pending.volatility);
    observed.expect.multiline = parsed.multiline;
    if (parsed.multiline && pending.count_body) {
        observed.expect.body_lines = parsed.body.size();
    }
    observed.expect.notes = parsed.diagnostics;
    return observed;
}

bool Recorder::server_bytes(std::string_view bytes) {
    bool start_tls = false;
    while (!bytes.empty() && !stopped_ && !start_tls) {
        if (protocol_ == scenario::Protocol::smtp) {
            bytes.remove_prefix(replies_.put(bytes));
            if (replies_.has_reply()) {
                start_tls = reply(observe(replies_.take()));
            }
        } else {
            const Pending next = pending_.empty() ? Pending{} : pending_.front();
            responses_.expect_body(next.body);
            bytes.remove_prefix(responses_.put(bytes));
            if (responses_.has_response()) {
                start_tls = reply(observe(responses_.take(), next));
            }
        }
    }
    return start_tls;
}

bool Recorder::reply(Observed observed) {
    if (!greeted_ || pending_.empty()) {  // the greeting, or an unsolicited reply (421)
        greeted_ = true;
        add(std::move(observed.expect));
        return false;
    }
    const Pending pending = pending_.front();
    pending_.pop_front();
    switch (pending.kind) {
        case Kind::starttls:
            if (observed.positive) {
                framer_.reset();  // RFC 3207 4: nothing sent before the handshake counts
                send_group_open_ = false;
                return true;
            }
            session_.steps[starttls_placeholder_] =
                SendLines{{protocol_ == scenario::Protocol::smtp ? "STARTTLS" : "STLS"}};
            add(std::move(observed.expect));
            return false;
        case Kind::data:
            add(std::move(observed.expect));
            if (observed.code == 354) {
                data_.emplace(limits_.data_kept, 1000);
            }
            return false;
        case Kind::login_user:
        case Kind::login:
            if (!login_) {
                add(std::move(observed.expect));
                return false;
            }
            login_->as_written.push_back(observed.expect);
            if (observed.continuation) {
                login_->awaiting_response = true;
            } else if (!(pending.kind == Kind::login_user && observed.positive)) {
                finish_login(observed);  // USER +OK waits for PASS
            }
            return false;
        case Kind::plain:
            add(std::move(observed.expect));
            return false;
    }
    return false;
}

void Recorder::finish_login(const Observed& last) {
    LoginExchange login = std::move(*login_);
    login_.reset();
    send_group_open_ = false;
    if (login.user.empty()) {
        login.user = sasl_user(login.mechanism, login.responses);
    }
    const bool known = login.mechanism == "PLAIN" || login.mechanism == "LOGIN" ||
                       login.mechanism == "CRAM-MD5" || login.mechanism == "USER" ||
                       login.mechanism == "APOP";
    // A refusal is replayable only as a refusal of the password (535 / -ERR): anything else
    // (an unknown mechanism, a cancelled exchange) is written out as it happened, redacted.
    const bool refused_password =
        !last.positive && (protocol_ == scenario::Protocol::pop3 || last.code == 535);
    if (known && !login.user.empty() && (last.positive || refused_password)) {
        session_.steps[login.placeholder] = Login{login.mechanism, login.user, last.positive};
        return;
    }
    session_.notes.push_back("an " + login.mechanism +
                             " login could not be turned into an auth: step; its secrets are "
                             "written as " +
                             std::string(redacted) + ": edit them to replay it");
    auto& steps = session_.steps;
    steps.erase(steps.begin() + static_cast<std::ptrdiff_t>(login.placeholder));
    steps.insert(steps.begin() + static_cast<std::ptrdiff_t>(login.placeholder),
                 login.as_written.begin(), login.as_written.end());
}

Session Recorder::finish() {
    if (!stopped_ && protocol_ == scenario::Protocol::smtp && replies_.in_reply()) {
        replies_.put_eof();
        reply(observe(replies_.take()));
    }
    if (login_) {  // the connection ended in the middle of a login
        session_.notes.push_back("the connection ended during a login; it is left out");
        session_.steps.erase(session_.steps.begin() +
                             static_cast<std::ptrdiff_t>(login_->placeholder));
        login_.reset();
    }
    return std::move(session_);
}

}  // namespace mh::harness::record
