// Session::reset(): a used session, once reset, behaves exactly like a new one. Each scenario
// leaves the session somewhere else (mid-line, in DATA, in a BDAT chunk, in an AUTH exchange,
// with a delivery or events pending, after TLS, AUTH, deliveries and errors, closed); then the
// probe conversation, whose replies depend on every part of that state, must give the same
// replies, deliveries and counters as on a new session.

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "proto/sasl/base64.hpp"
#include "proto/smtp/session.hpp"
#include "proto/smtp/static_policy.hpp"

using namespace std::string_literals;

namespace mh::proto::smtp {
namespace {

SessionConfig reset_config() {
    SessionConfig config;
    config.auth_requires_tls = false;  // the probe logs in without a TLS turn
    config.peer_address = "192.0.2.9";
    config.limits.max_messages_per_session = 2;
    config.limits.hard_error_limit = 5;
    return config;
}

// Plays the connection loop and writes down everything the session asks of it.
class Recorder {
  public:
    explicit Recorder(Session& session, bool complete_deliveries = true)
        : session_(session), complete_deliveries_(complete_deliveries) {}

    // One client turn; a STARTTLS handshake completes at its end. Stops feeding while a
    // delivery is left pending.
    void step(std::string_view bytes) {
        while (!bytes.empty() && !delivery_pending_) {
            bytes.remove_prefix(session_.put(bytes));
            drain();
        }
        if (tls_requested_) {
            tls_requested_ = false;
            session_.tls_established();
            drain();
        }
    }
    void drain() {
        while (auto event = session_.next_event()) {
            if (const auto* write = std::get_if<WriteEvent>(&*event)) {
                log_ += "write: " + write->bytes;
            } else if (const auto* deliver = std::get_if<DeliverEvent>(&*event)) {
                record(*deliver);
                if (complete_deliveries_) {
                    session_.delivery_done(DeliveryStatus::stored);
                } else {
                    delivery_pending_ = true;
                }
            } else if (std::holds_alternative<StartTlsEvent>(*event)) {
                log_ += "starttls\n";
                tls_requested_ = true;
            } else {
                log_ += "close\n";
            }
        }
    }
    std::string log() const {
        return log_ + "errors " + std::to_string(session_.error_count()) +
               (session_.closed() ? ", closed\n" : ", open\n");
    }

  private:
    void record(const DeliverEvent& deliver) {
        const Envelope& envelope = deliver.envelope;
        log_ += "deliver from <" + envelope.mail_from + "> helo " + envelope.helo + " auth " +
                envelope.authenticated_as + (envelope.tls ? " tls" : "") +
                (envelope.smtputf8 ? " smtputf8" : "") +
                (envelope.body_8bitmime ? " 8bitmime" : "") + " to";
        for (const auto& recipient : envelope.recipients) {
            log_ += " <" + recipient + ">";
        }
        log_ += "\n" + deliver.message;
    }

    Session& session_;
    bool complete_deliveries_;
    bool delivery_pending_ = false;
    bool tls_requested_ = false;
    std::string log_;
};

const std::string plain_alice = "AUTH PLAIN " + sasl::base64_encode("\0alice\0alice-pw"s) + "\r\n";

// Together they reach every part of a session's state that a client can see: the greeting
// (not started), MAIL before EHLO (no HELO yet), STARTTLS before EHLO (refused during a
// transaction or BDAT message, or when TLS is on) or else EHLO's keywords (STARTTLS unless TLS),
// AUTH (not yet authenticated), MAIL (the message limit), a delivery (the envelope and
// Received: field: HELO name, TLS, AUTH), then errors up to the limit (the error count) and the
// 421. What a new session writes before it reads (the HELO name, the SASL step, the DATA and
// BDAT readers) cannot show; reset() clears it with the rest.
const std::vector<std::vector<std::string>> probes = {
    {"MAIL FROM:<early@example.test>\r\n", "STARTTLS\r\n", "EHLO probe.example\r\n", plain_alice,
     "MAIL FROM:<alice@example.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n",
     "probe message\r\n.\r\n", "BOGUS\r\nBOGUS\r\nBOGUS\r\nBOGUS\r\n"},
    {"MAIL FROM:<early@example.test>\r\n", "VRFY alice\r\n", "EHLO probe.example\r\n", plain_alice,
     "MAIL FROM:<alice@example.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n",
     "probe message\r\n.\r\n", "BOGUS\r\nBOGUS\r\nBOGUS\r\nBOGUS\r\n"},
};

std::string probe_log(Session& session, const std::vector<std::string>& probe) {
    Recorder recorder(session);
    session.start();
    recorder.drain();
    for (const auto& step : probe) {
        recorder.step(step);
    }
    return recorder.log();
}

struct Scenario {
    const char* name;
    std::vector<std::string> steps;
    bool complete_deliveries = true;
    bool drain_last = true;  // false: the events of the last step stay unread
};

const std::vector<Scenario> scenarios = {
    {"a line half sent", {"EHLO used.example\r\nMAIL FROM:<half@"}},
    {"in DATA",
     {"EHLO used.example\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<bob@example.test>\r\n", "DATA\r\n",
      "unfinished content\r\n"}},
    {"in a BDAT chunk",
     {"EHLO used.example\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<bob@example.test>\r\n",
      "BDAT 100\r\nabc"}},
    {"BDAT chunks of an unfinished message",
     {"EHLO used.example\r\nMAIL FROM:<a@x.test> BODY=8BITMIME\r\n",
      "RCPT TO:<bob@example.test>\r\nBDAT 3\r\nabc"}},
    {"in AUTH LOGIN",
     {"EHLO used.example\r\nAUTH LOGIN\r\n", sasl::base64_encode("alice") + "\r\n"}},
    {"a delivery pending",
     {"EHLO used.example\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n",
      "content\r\n.\r\n"},
     false},
    {"after TLS, AUTH, two messages and errors",
     {"EHLO used.example\r\nSTARTTLS\r\n", "EHLO used.example\r\n", plain_alice,
      "MAIL FROM:<a@x.test> SMTPUTF8\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n", "one\r\n.\r\n",
      "MAIL FROM:<a@x.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n", "two\r\n.\r\n",
      "BOGUS\r\nBOGUS\r\nMAIL FROM:<a@x.test>\r\n"}},
    {"TLS requested, handshake not done", {"EHLO used.example\r\n", "STARTTLS\r\n"}, true, false},
    {"HELO only", {"HELO used.example\r\n"}},
    {"closed by QUIT", {"EHLO used.example\r\nQUIT\r\n"}},
    {"closed by the error limit", {"BOGUS\r\nBOGUS\r\nBOGUS\r\nBOGUS\r\nBOGUS\r\n"}},
    {"events unread", {"EHLO used.example\r\nNOOP\r\n"}, true, false},
};

// The session after `steps` (the events of the last one left unread unless `drain_last`).
void play(Session& session, const Scenario& scenario) {
    Recorder recorder(session, scenario.complete_deliveries);
    session.start();
    recorder.drain();
    for (std::size_t i = 0; i < scenario.steps.size(); ++i) {
        if (i + 1 == scenario.steps.size() && !scenario.drain_last) {
            session.put(scenario.steps[i]);
        } else {
            recorder.step(scenario.steps[i]);
        }
    }
}

TEST(SmtpSessionReset, ProbesSeeWhatTheyAreMeantTo) {
    StaticPolicy policy({"example.test"}, {{"alice", "alice-pw"}, {"bob", "bob-pw"}});
    Session with_tls(reset_config(), policy);
    const std::string tls = probe_log(with_tls, probes[0]);
    EXPECT_NE(tls.find("503 5.5.1 Send EHLO or HELO first"), std::string::npos) << tls;
    EXPECT_NE(tls.find("220 2.0.0 Ready to start TLS"), std::string::npos) << tls;
    EXPECT_NE(tls.find("235 2.7.0"), std::string::npos) << tls;
    EXPECT_NE(tls.find("deliver from <alice@example.test> helo probe.example auth alice tls to"),
              std::string::npos)
        << tls;
    EXPECT_NE(tls.find("with ESMTPSA;"), std::string::npos) << tls;
    EXPECT_NE(tls.find("421 4.7.0"), std::string::npos) << tls;
    Session plain(reset_config(), policy);
    const std::string text = probe_log(plain, probes[1]);
    EXPECT_NE(text.find("252 2.5.0"), std::string::npos) << text;
    EXPECT_NE(text.find("250-STARTTLS"), std::string::npos) << text;
    EXPECT_NE(text.find("with ESMTPA;"), std::string::npos) << text;
}

TEST(SmtpSessionReset, ResetSessionAnswersLikeANewOne) {
    StaticPolicy policy({"example.test"}, {{"alice", "alice-pw"}, {"bob", "bob-pw"}});
    for (std::size_t p = 0; p < probes.size(); ++p) {
        Session fresh(reset_config(), policy);
        const std::string expected = probe_log(fresh, probes[p]);
        for (const Scenario& scenario : scenarios) {
            Session used(reset_config(), policy);
            play(used, scenario);
            used.reset();
            EXPECT_EQ(probe_log(used, probes[p]), expected)
                << "probe " << p << " after " << scenario.name;
        }
    }
}

TEST(SmtpSessionReset, ResetTwiceAndResetNewSessionChangeNothing) {
    StaticPolicy policy({"example.test"}, {{"alice", "alice-pw"}, {"bob", "bob-pw"}});
    Session fresh(reset_config(), policy);
    const std::string expected = probe_log(fresh, probes[0]);
    Session session(reset_config(), policy);
    session.reset();
    EXPECT_EQ(probe_log(session, probes[0]), expected);
    session.reset();
    session.reset();
    EXPECT_EQ(probe_log(session, probes[0]), expected);
}

}  // namespace
}  // namespace mh::proto::smtp
