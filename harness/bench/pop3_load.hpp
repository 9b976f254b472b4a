#pragma once
// The POP3 bench session. Each ticket is one POP3 session:
//   login     USER, PASS, STAT, QUIT                    (unit: session)
//   retr-all  login, LIST, RETR of every message, QUIT  (unit: message retrieved)
//   top       login, LIST, TOP n 0 of every message     (unit: message)
//   mixed     login / top / retr-all in turn by ticket
// With pipelining the RETR / TOP commands go out in windows of up to 64 (RFC 2449 6.6).
// Nothing is deleted, so the maildrop serves every session the same.

#include <boost/asio/ip/tcp.hpp>

#include <optional>
#include <string>
#include <vector>

#include "harness/bench/engine.hpp"
#include "harness/bench/smtp_load.hpp"
#include "harness/scenario/target.hpp"

namespace mh::harness::bench {

enum class Pop3Workload { login, retr_all, top, mixed };

struct Pop3LoadOptions {
    boost::asio::ip::tcp::endpoint endpoint;
    scenario::TlsMode tls = scenario::TlsMode::none;
    std::vector<Credentials> accounts;  // session i logs in as accounts[i % size]
    Pop3Workload workload = Pop3Workload::login;
    bool pipelining = false;
};

SessionBody pop3_session(const Pop3LoadOptions& options);
// The unit counted by the workload: "session" or "message".
const char* pop3_unit(Pop3Workload workload);

}  // namespace mh::harness::bench
