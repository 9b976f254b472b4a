#pragma once
// The SMTP bench session: connect (optionally TLS), EHLO, optional AUTH PLAIN, then one message
// per ticket (MAIL, RCPT x R, DATA, content), lockstep or with the commands of a message sent
// in one write (RFC 2920 PIPELINING); the connection is reused or reopened for every message.

#include <boost/asio/ip/tcp.hpp>

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "harness/bench/engine.hpp"
#include "harness/bench/message_factory.hpp"
#include "harness/scenario/target.hpp"

namespace mh::harness::bench {

struct Credentials {
    std::string user;
    std::string password;
};

// Sequence numbers of the messages the server accepted (250 after the content), for the
// integrity check. Thread-safe.
class AcceptedLedger {
  public:
    void accepted(std::uint64_t sequence);
    std::vector<std::uint64_t> sequences() const;  // sorted

  private:
    mutable std::mutex mutex_;
    std::vector<std::uint64_t> sequences_;
};

struct SmtpLoadOptions {
    boost::asio::ip::tcp::endpoint endpoint;
    scenario::TlsMode tls = scenario::TlsMode::none;
    std::optional<Credentials> auth;
    std::string helo = "bench.mailharness.test";
    std::string from = "bench@example.test";
    std::vector<std::string> to{"alice@example.test"};  // cycled through for the R recipients
    unsigned recipients = 1;
    bool pipelining = false;
    bool reuse = true;
    const MessageFactory* messages = nullptr;
    AcceptedLedger* ledger = nullptr;  // integrity mode
};

// The body of one SMTP session for run_load.
SessionBody smtp_session(const SmtpLoadOptions& options);

}  // namespace mh::harness::bench
