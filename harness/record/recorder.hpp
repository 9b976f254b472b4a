#pragma once
// Sans-I/O recorder of one proxied conversation: the proxy hands it what each peer sent, in
// the order it arrived, and it builds the steps of a suite case (recording.hpp). It follows the
// protocol far enough to frame the conversation: command lines, DATA content (RFC 5321 4.1.1.4)
// and BDAT chunks (RFC 3030 2), SMTP replies and POP3 responses with their multi-line bodies,
// STARTTLS / STLS (RFC 3207 4, RFC 2595 4), and logins (AUTH, RFC 4954 / RFC 5034; USER/PASS
// and APOP, RFC 1939 7), which become `auth:` steps so no secret reaches the file.
// Memory stays bounded: over-long lines or too many steps end the recording (not the relay).

#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include "harness/record/recording.hpp"
#include "harness/record/reply_pattern.hpp"
#include "harness/scenario/model.hpp"
#include "proto/common/line_framer.hpp"
#include "proto/pop3/response_parser.hpp"
#include "proto/smtp/data_framing.hpp"
#include "proto/smtp/reply_parser.hpp"

namespace mh::harness::record {

struct RecorderLimits {
    std::size_t client_line = 65536;   // longer client lines end the recording
    std::size_t data_kept = 1u << 20;  // DATA content kept; larger becomes `bytes:`
    std::size_t steps = 100000;        // steps of one session
};

class Recorder {
  public:
    explicit Recorder(scenario::Protocol protocol, RecorderLimits limits = {});

    void client_bytes(std::string_view bytes);
    // True when the server has just accepted STARTTLS / STLS: both sides start TLS now.
    bool server_bytes(std::string_view bytes);
    // A STARTTLS / STLS command waits for its answer: the client may not write until then.
    bool awaiting_tls_reply() const;
    // The connection ended; returns what was recorded.
    Session finish();

  private:
    enum class Kind { plain, data, starttls, login, login_user };
    struct Pending {
        Kind kind = Kind::plain;
        bool body = false;  // POP3: +OK carries a multi-line body
        Volatility volatility = Volatility::usual;
        bool count_body = false;  // POP3: expect the body's line count (RETR, TOP, CAPA)
    };
    struct Observed {
        ExpectReply expect;
        bool continuation = false;  // 334 / "+"
        bool positive = false;      // 2xx-3xx / +OK
        int code = 0;
    };
    struct LoginExchange {
        std::size_t placeholder = 0;  // index of its step
        std::string mechanism;
        std::string user;
        std::vector<std::string> responses;  // client lines after continuations
        std::vector<Step> as_written;        // the exchange with secrets replaced
        bool awaiting_response = false;
    };

    void client_line(const std::string& line);
    void smtp_command(const std::string& line, const std::string& verb);
    void pop3_command(const std::string& line, const std::string& verb);
    void start_login(const std::string& mechanism, const std::string& user,
                     const std::string& written);
    void login_response(const std::string& line);
    // Returns true on a positive answer to STARTTLS / STLS.
    bool reply(Observed observed);
    void finish_login(const Observed& last);
    Observed observe(const proto::smtp::ParsedReply& parsed) const;
    Observed observe(const proto::pop3::ParsedResponse& parsed, const Pending& pending) const;

    void add_send(const std::string& line);
    void add(Step step);
    void stop(std::string why);

    scenario::Protocol protocol_;
    RecorderLimits limits_;
    Session session_;
    bool stopped_ = false;
    bool greeted_ = false;
    bool send_group_open_ = false;

    proto::LineFramer framer_;
    std::optional<proto::smtp::DataReader> data_;
    std::string bdat_;  // a BDAT command and its chunk so far
    std::size_t bdat_remaining_ = 0;

    proto::smtp::ReplyParser replies_;
    proto::pop3::ResponseParser responses_;
    std::deque<Pending> pending_;
    std::optional<LoginExchange> login_;
    std::size_t starttls_placeholder_ = 0;
};

}  // namespace mh::harness::record
