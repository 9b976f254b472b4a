#include "harness/run/login.hpp"

#include "harness/run/sasl.hpp"

namespace mh::harness::run {

namespace {

using scenario::Mechanism;

// One command and its answer, classified by the protocol's notion of positive / negative.
class Exchange {
  public:
    Exchange(Channel& channel, scenario::Duration timeout) : channel_(channel), timeout_(timeout) {}

    // Sends the line and reads the answer; false when the login cannot go on (outcome_ is set).
    bool step(const std::string& line, bool continuation_wanted) {
        channel_.send(line + "\r\n", transport::Clock::now() + timeout_);
        last_ = channel_.observe(timeout_, false);
        outcome_.detail = describe(last_);
        if (last_.kind == Observation::Kind::reply && last_.reply.diagnostics.empty()) {
            const int code = last_.reply.reply.code;
            if (continuation_wanted ? code == 334 : code == 235) {
                return true;
            }
            outcome_.kind = code >= 400 && code < 600 ? LoginOutcome::Kind::refused
                                                      : LoginOutcome::Kind::broken;
            return false;
        }
        if (last_.kind == Observation::Kind::response && last_.response.diagnostics.empty()) {
            const auto status = last_.response.status;
            if (continuation_wanted ? status == proto::pop3::Status::continuation
                                    : status == proto::pop3::Status::ok) {
                return true;
            }
            outcome_.kind = status == proto::pop3::Status::err ? LoginOutcome::Kind::refused
                                                               : LoginOutcome::Kind::broken;
            return false;
        }
        outcome_.kind = LoginOutcome::Kind::broken;
        return false;
    }

    // Text of a continuation ("334 <base64>" / "+ <base64>").
    std::string challenge() const {
        if (last_.kind == Observation::Kind::reply) {
            return last_.reply.reply.lines.empty() ? "" : last_.reply.reply.lines.front();
        }
        return last_.response.text;
    }

    LoginOutcome accepted() {
        outcome_.kind = LoginOutcome::Kind::accepted;
        return outcome_;
    }
    LoginOutcome outcome() const { return outcome_; }

  private:
    Channel& channel_;
    scenario::Duration timeout_;
    Observation last_;
    LoginOutcome outcome_;
};

}  // namespace

LoginOutcome log_in(Channel& channel, Mechanism mechanism, const std::string& user,
                    const std::string& password, scenario::Duration timeout) {
    Exchange exchange(channel, timeout);
    const bool pop3 = channel.protocol() == scenario::Protocol::pop3;
    switch (mechanism) {
        case Mechanism::plain:
            if (pop3) {  // RFC 5034: the initial response may also go on the AUTH line; ask first
                if (!exchange.step("AUTH PLAIN", true)) {
                    return exchange.outcome();
                }
                return exchange.step(sasl::plain_response(user, password), false)
                           ? exchange.accepted()
                           : exchange.outcome();
            }
            return exchange.step("AUTH PLAIN " + sasl::plain_response(user, password), false)
                       ? exchange.accepted()
                       : exchange.outcome();
        case Mechanism::login:
            if (exchange.step("AUTH LOGIN", true) &&
                exchange.step(sasl::base64_encode(user), true) &&
                exchange.step(sasl::base64_encode(password), false)) {
                return exchange.accepted();
            }
            return exchange.outcome();
        case Mechanism::cram_md5: {
            if (!exchange.step("AUTH CRAM-MD5", true)) {
                return exchange.outcome();
            }
            const auto response = sasl::cram_md5_response(user, password, exchange.challenge());
            if (!response) {
                return LoginOutcome{
                    LoginOutcome::Kind::broken,
                    "the CRAM-MD5 challenge is not base64: \"" + exchange.challenge() + "\""};
            }
            return exchange.step(*response, false) ? exchange.accepted() : exchange.outcome();
        }
        case Mechanism::user:
            if (exchange.step("USER " + user, false) && exchange.step("PASS " + password, false)) {
                return exchange.accepted();
            }
            return exchange.outcome();
        case Mechanism::apop: {
            const auto digest = sasl::apop_digest(channel.greeting(), password);
            if (!digest) {
                return LoginOutcome{
                    LoginOutcome::Kind::broken,
                    "the greeting carries no <timestamp> for APOP (RFC 1939 7): \"" +
                        channel.greeting() + "\"; read the greeting with expect: \"+OK\" first"};
            }
            return exchange.step("APOP " + user + " " + *digest, false) ? exchange.accepted()
                                                                        : exchange.outcome();
        }
    }
    return exchange.outcome();
}

}  // namespace mh::harness::run
