#pragma once
// Drives the reference POP3 session machine (proto/pop3/session.hpp) over an in-memory store and
// checks every response against an independent model of RFC 1939: which command each response
// answers, whether it is +OK or -ERR, the counts of STAT and LIST, the content of RETR, and that
// the maildrop changes only in the UPDATE state after QUIT. Used by fuzz_pop3_session.

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "fuzz/support/fuzz_input.hpp"
#include "proto/pop3/memory_store.hpp"
#include "proto/pop3/response_parser.hpp"
#include "proto/pop3/session.hpp"

namespace mh::fuzz {

class Pop3Model {
  public:
    static constexpr std::string_view account = "alice";
    static constexpr std::string_view password = "alice-pw";
    static constexpr std::string_view apop_timestamp = "<1.2@pop.example.test>";

    Pop3Model()
        : store_(unchanged_store()),
          initial_(initial_messages()),
          unchanged_(store_.changes()),
          session_(session_config(), store_),
          buffers_(reused_buffers()),
          parser_(buffers_.parser),
          response_(buffers_.response),
          received_(buffers_.received),
          verb_(buffers_.verb),
          args_(buffers_.args),
          output_(buffers_.output),
          deleted_(buffers_.deleted) {
        buffers_.clear(initial_.size());
        session_.start();
        drain();
        answer_lines();
    }

    // One client turn: a single put() (the session answers every complete line in it).
    void turn(std::string_view bytes) {
        if (closed_) {
            return;
        }
        const std::size_t used = session_.put(bytes);
        require(used == bytes.size(), "put() refused input below the 64 KiB backlog");
        received_.append(bytes);
        drain();
        answer_lines();
        check_store();
    }

    void finish() {
        if (!closed_) {
            // Every complete line was answered in turn(); a partial one is dropped at EOF.
            session_.put_eof();
            drain();
            closed_ = true;
            answer_lines();
        }
        require(closed_ || !session_.next_event(), "events after end of input and close");
        check_store();
    }

  private:
    // The model's buffers and response parser, one set per process (one model lives at a time):
    // a model starts with the buffers empty and the parser idle (every model takes each
    // response it is sent), only their capacity is reused.
    struct Buffers {
        proto::pop3::ResponseParser parser;
        proto::pop3::ParsedResponse response;
        std::string received;
        std::string verb;
        std::vector<std::string_view> args;
        std::string output;
        std::vector<bool> deleted;

        void clear(std::size_t messages) {
            received.clear();
            verb.clear();
            args.clear();
            output.clear();
            deleted.assign(messages, false);
        }
    };
    static Buffers& reused_buffers() {
        static Buffers buffers;
        return buffers;
    }

    struct Line {
        std::string_view text;   // without LF and one trailing CR
        std::size_t length = 0;  // octets before the LF, CR included
    };

    static void fill(proto::pop3::MemoryStore& store) {
        store.add_account(std::string(account), std::string(password));
        store.add_message(account, "Subject: one\r\n\r\nhello\r\n");
        store.add_message(account, "Subject: dots\r\n\r\n.leading\r\n..two\r\n.\r\nend\r\n");
        store.add_message(account, "Subject: bare\n\nlf only\nno final line end");
    }

    // One store for the process, built again only after a session removed messages from it:
    // every model starts from the same three messages with the same UIDs (a finding replays
    // alone) without rebuilding the store for each input. The previous model's session, which
    // held the maildrop lock, is gone by the time the next model is constructed.
    static proto::pop3::MemoryStore& unchanged_store() {
        static proto::pop3::MemoryStore store;
        static std::size_t built = 0;
        if (built == 0 || store.changes() != built) {
            store = proto::pop3::MemoryStore();
            fill(store);
            built = store.changes();
        }
        return store;
    }

    static const std::vector<std::string>& initial_messages() {
        static const std::vector<std::string> messages = [] {
            proto::pop3::MemoryStore store;
            fill(store);
            return store.contents(account);
        }();
        return messages;
    }

    // Built once per process: the session takes a copy.
    static const proto::pop3::SessionConfig& session_config() {
        static const proto::pop3::SessionConfig built = [] {
            proto::pop3::SessionConfig config;
            config.login_requires_tls = false;  // reachable without an STLS turn; STLS still works
            config.apop_timestamp = std::string(apop_timestamp);
            config.hard_error_limit = 10;
            // RFC 5034 4 sets no limit; 4096 by default would need inputs of 4 KiB and more to
            // reach the overlong-response path.
            config.sasl_line = 512;
            return config;
        }();
        return built;
    }

    void drain() {
        while (auto event = session_.next_event()) {
            require(!closed_event_, "an event after CloseEvent");
            if (auto* write = std::get_if<proto::pop3::WriteEvent>(&*event)) {
                require(!write->bytes.empty(), "an empty WriteEvent");
                output_ += write->bytes;
            } else if (std::holds_alternative<proto::pop3::StartTlsEvent>(*event)) {
                tls_requested_ = true;
            } else {
                closed_event_ = true;
            }
        }
    }

    // Pairs each complete client line with the next response and checks it.
    void answer_lines() {
        if (!greeted_) {
            const auto& greeting = next_response(false);
            require(greeting.status == proto::pop3::Status::ok, "the greeting is not +OK");
            require(greeting.text.find(apop_timestamp) != std::string::npos,
                    "the greeting lacks the APOP timestamp");
            greeted_ = true;
        }
        // The complete lines of what the client sent, in place in received_; STLS and QUIT drop
        // the rest (answer() clears received_ then).
        while (!closed_) {
            const auto lf = received_.find('\n', read_);
            if (lf == std::string::npos) {
                break;
            }
            Line line{std::string_view(received_).substr(read_, lf - read_), lf - read_};
            read_ = lf + 1;
            if (!line.text.empty() && line.text.back() == '\r') {
                line.text.remove_suffix(1);
            }
            answer(line);
        }
        if (closed_) {
            received_.clear();
        } else {
            received_.erase(0, read_);  // keeps the unfinished line
        }
        read_ = 0;
        require(parsed_ == output_.size(), "a response that answers no command");
        output_.clear();
        parsed_ = 0;
        require(closed_ == closed_event_, "the session closed unlike the model says");
    }

    void answer(const Line& line) {
        const auto& config = session_config();
        const std::size_t limit = sasl_pending_ ? config.sasl_line : config.command_line;
        if (line.length + 1 > limit) {
            sasl_pending_ = false;
            expect_err(next_response(false), "an overlong line is not refused");
            return;
        }
        if (sasl_pending_) {
            sasl_pending_ = false;
            login_result(next_response(false), line.text != "*");
            return;
        }
        const auto space = line.text.find(' ');
        const std::string_view verb = upper(line.text.substr(0, space));
        const auto& args =
            arguments(space == std::string_view::npos ? "" : line.text.substr(space + 1));
        const bool nul = line.text.find('\0') != std::string_view::npos;
        const bool body = !nul && expects_body(verb, args.size());
        const auto& response = next_response(body);
        if (nul) {
            expect_err(response, "a command with NUL is not refused");
        } else if (transaction_) {
            transaction_command(verb, args, response);
        } else {
            authorization_command(verb, args, response);
        }
    }

    static bool expects_body(std::string_view verb, std::size_t args) {
        return verb == "RETR" || verb == "TOP" || verb == "CAPA" ||
               ((verb == "LIST" || verb == "UIDL" || verb == "AUTH") && args == 0);
    }

    void authorization_command(std::string_view verb, const std::vector<std::string_view>& args,
                               const proto::pop3::ParsedResponse& response) {
        using proto::pop3::Status;
        if (verb == "QUIT" && args.empty()) {
            require(response.status == Status::ok, "QUIT in AUTHORIZATION is not +OK");
            closed_ = true;
            return;
        }
        if (verb == "STLS" && args.empty() && response.status == Status::ok) {
            require(!tls_, "STLS accepted twice");
            tls_ = true;
            require(tls_requested_, "STLS +OK without StartTlsEvent");
            session_.tls_established();
            received_.clear();  // RFC 2595 4: the rest of the read is discarded
            read_ = 0;
            return;
        }
        if (response.status == Status::continuation) {
            require(verb == "AUTH" && args.size() == 1, "a continuation that no AUTH asked for");
            sasl_pending_ = true;
            return;
        }
        // PASS takes the rest of the line as the password (RFC 1939 7), spaces included.
        if (verb == "PASS" || verb == "APOP" || (verb == "AUTH" && args.size() >= 2)) {
            login_result(response, true);
            return;
        }
        const bool transaction_only = verb == "STAT" || verb == "LIST" || verb == "RETR" ||
                                      verb == "DELE" || verb == "NOOP" || verb == "RSET" ||
                                      verb == "TOP" || verb == "UIDL";
        if (transaction_only) {
            expect_err(response, "a TRANSACTION command accepted in AUTHORIZATION");
        }
    }

    void login_result(const proto::pop3::ParsedResponse& response, bool may_succeed) {
        if (response.status == proto::pop3::Status::ok) {
            require(may_succeed, "a cancelled AUTH logged in");
            transaction_ = true;
            std::fill(deleted_.begin(), deleted_.end(), false);
        } else {
            expect_err(response, "a login answered neither +OK nor -ERR");
        }
    }

    void transaction_command(std::string_view verb, const std::vector<std::string_view>& args,
                             const proto::pop3::ParsedResponse& response) {
        using proto::pop3::Status;
        const bool ok = response.status == Status::ok;
        if (verb == "QUIT" && args.empty()) {
            require(ok, "QUIT in TRANSACTION is not +OK");
            closed_ = true;
            quit_in_transaction_ = true;
            return;
        }
        if (verb == "STAT" && args.empty()) {
            require(ok && response.text == std::to_string(count()) + " " + std::to_string(octets()),
                    "STAT disagrees with the maildrop");
            return;
        }
        if ((verb == "LIST" || verb == "UIDL") && args.empty()) {
            require(ok && response.body.size() == count(), "LIST/UIDL lists the wrong messages");
            return;
        }
        const bool numbered =
            verb == "LIST" || verb == "UIDL" || verb == "RETR" || verb == "DELE" || verb == "TOP";
        const std::size_t wanted_args = verb == "TOP" ? 2 : 1;
        if (numbered && args.size() == wanted_args) {
            const auto index = message_index(args[0]);
            const bool valid = index && (verb != "TOP" || all_digits(args[1]));
            require(ok == valid, "a message-number command answered against the model");
            if (ok && verb == "DELE") {
                deleted_[*index] = true;
            }
            if (ok && verb == "RETR") {
                require(same_lines(response.body, initial_[*index]) &&
                            response.body_octets >= initial_[*index].size(),
                        "RETR returned other content than the stored message");
            }
            return;
        }
        if (verb == "RSET" && args.empty()) {
            require(ok, "RSET is not +OK");
            std::fill(deleted_.begin(), deleted_.end(), false);
            return;
        }
        if (verb == "NOOP" && args.empty()) {
            require(ok, "NOOP is not +OK");
            return;
        }
        if (verb == "CAPA" && args.empty()) {
            require(ok, "CAPA is not +OK");
            return;
        }
        expect_err(response, "a command accepted in TRANSACTION that RFC 1939 does not allow");
    }

    std::optional<std::size_t> message_index(std::string_view arg) const {
        if (!all_digits(arg)) {
            return std::nullopt;
        }
        std::size_t number = 0;
        for (const char c : arg) {  // saturates: huge numbers (4772185884) name no message
            number = std::min<std::size_t>(1'000'000'000,
                                           number * 10 + static_cast<std::size_t>(c - '0'));
        }
        if (number == 0 || number > initial_.size() || deleted_[number - 1]) {
            return std::nullopt;
        }
        return number - 1;
    }

    std::size_t count() const {
        return static_cast<std::size_t>(std::count(deleted_.begin(), deleted_.end(), false));
    }
    std::size_t octets() const {
        std::size_t total = 0;
        for (std::size_t i = 0; i < initial_.size(); ++i) {
            total += deleted_[i] ? 0 : initial_[i].size();
        }
        return total;
    }

    // The store changes only when a QUIT in TRANSACTION ended the session (RFC 1939 6). Before
    // that, the store's change counter says it without copying the mailbox on every turn.
    void check_store() {
        if (!quit_in_transaction_) {
            require(store_.changes() == unchanged_, "the maildrop changed before QUIT");
            return;
        }
        const auto now = store_.contents(account);
        std::vector<std::string> kept;
        for (std::size_t i = 0; i < initial_.size(); ++i) {
            if (!deleted_[i]) {
                kept.push_back(initial_[i]);
            }
        }
        require(now == kept, "UPDATE removed other messages than those marked deleted");
    }

    // The next response, valid until the next call (taken into storage the parser reuses).
    const proto::pop3::ParsedResponse& next_response(bool body) {
        require(parsed_ < output_.size(), "a command without a response");
        parser_.expect_body(body);
        // An offset instead of erasing each response: a long pipelined turn stays linear.
        parsed_ += parser_.put(std::string_view(output_).substr(parsed_));
        require(parser_.has_response(), "a response cut off at the end of a write");
        parser_.take(response_);
        require(response_.diagnostics.empty(), "a response the response parser finds malformed");
        count_error(response_);
        return response_;
    }

    void count_error(const proto::pop3::ParsedResponse& response) {
        if (response.status == proto::pop3::Status::err &&
            ++errors_ >= session_config().hard_error_limit) {
            closed_ = true;
        }
    }

    void expect_err(const proto::pop3::ParsedResponse& response, const char* invariant) {
        require(response.status == proto::pop3::Status::err, invariant);
    }

    // Whether `body` holds exactly the CRLF-terminated lines of `content`.
    static bool same_lines(const std::vector<std::string>& body, std::string_view content) {
        std::size_t line = 0;
        for (auto end = content.find("\r\n"); end != std::string_view::npos;
             end = content.find("\r\n")) {
            if (line == body.size() || body[line++] != content.substr(0, end)) {
                return false;
            }
            content.remove_prefix(end + 2);
        }
        return line == body.size();
    }

    // The space-separated words of `text`, in a vector reused for every line.
    const std::vector<std::string_view>& arguments(std::string_view text) {
        args_.clear();
        std::size_t pos = 0;
        while (pos < text.size()) {
            auto end = text.find(' ', pos);
            end = end == std::string_view::npos ? text.size() : end;
            if (end > pos) {
                args_.push_back(text.substr(pos, end - pos));
            }
            pos = end + 1;
        }
        return args_;
    }

    static bool all_digits(std::string_view text) {
        return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
            return std::isdigit(static_cast<unsigned char>(c)) != 0;
        });
    }

    // The verb in upper case, in a buffer reused for every line.
    std::string_view upper(std::string_view text) {
        verb_.assign(text);
        std::transform(verb_.begin(), verb_.end(), verb_.begin(), [](char c) {
            return static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        });
        return verb_;
    }

    proto::pop3::MemoryStore& store_;
    const std::vector<std::string>& initial_;
    const std::size_t unchanged_;  // store_.changes() before the session
    proto::pop3::Session session_;
    Buffers& buffers_;
    proto::pop3::ResponseParser& parser_;
    proto::pop3::ParsedResponse& response_;
    std::string& received_;  // client bytes whose lines are not answered yet
    std::size_t read_ = 0;   // where the next line starts in received_
    std::string& verb_;
    std::vector<std::string_view>& args_;
    std::string& output_;         // what the session wrote in this turn
    std::size_t parsed_ = 0;      // how much of output_ the responses so far took
    std::vector<bool>& deleted_;  // parallel to initial_
    unsigned errors_ = 0;
    bool greeted_ = false;
    bool transaction_ = false;
    bool sasl_pending_ = false;
    bool tls_ = false;
    bool tls_requested_ = false;
    bool closed_ = false;
    bool closed_event_ = false;
    bool quit_in_transaction_ = false;
};

}  // namespace mh::fuzz
