#pragma once
// The relay section of the server configuration (docs/relay.md): where mail for foreign
// domains goes (a route table and a default smarthost, since the test machines have no DNS),
// the TLS policy towards the next hop, and the retry schedule.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mh::reference {

// A next hop: a host name or numeric address, and a port.
struct NextHop {
    std::string host;  // "127.0.0.1", "::1" (no brackets) or "mx.remote.test"
    std::uint16_t port = 25;

    std::string to_string() const;  // "127.0.0.1:25", "[::1]:25"
    bool operator==(const NextHop&) const = default;
};

struct Route {
    std::string domain;  // lower-case; ".remote.test" also matches every subdomain
    NextHop next_hop;
};

enum class RelayTlsPolicy {
    opportunistic,  // STARTTLS when the next hop offers it, clear text otherwise
    required,       // no STARTTLS offered (or a failed handshake) is a temporary failure
};

struct RelayTls {
    RelayTlsPolicy policy = RelayTlsPolicy::opportunistic;
    bool verify = false;  // check the certificate chain and the next hop's host name
    std::string ca_file;  // trust anchors for verify; the system store when empty
};

// RFC 5321 4.5.4.1: retries spaced out (at least 30 minutes is the RFC's advice for the
// Internet; the defaults follow it), give up after 4-5 days.
struct RetrySchedule {
    std::chrono::seconds first{1800};          // after the first failed attempt
    unsigned factor = 2;                       // each further wait is this many times longer
    std::chrono::seconds max_interval{14400};  // waits never grow beyond this
    std::chrono::seconds max_age{432000};      // 5 days in the queue, then bounce

    // The wait after `failed_attempts` (1 or more) failed attempts.
    std::chrono::seconds delay_after(unsigned failed_attempts) const;
};

// RFC 5321 4.5.3.2: the client's timeouts per step.
struct RelayTimeouts {
    std::chrono::seconds connect{30};
    std::chrono::seconds command{300};   // greeting, EHLO, MAIL, RCPT (4.5.3.2.1-3)
    std::chrono::seconds data_end{600};  // the reply to the final dot (4.5.3.2.6)
};

struct RelayConfig {
    std::vector<Route> routes;
    std::optional<NextHop> smarthost;  // for domains no route names
    RelayTls tls;
    RetrySchedule retry;
    RelayTimeouts timeouts;
    unsigned concurrency = 4;                       // messages delivered at the same time
    std::chrono::milliseconds scan_interval{1000};  // how often the queue is looked at

    // The relay runs only when it has somewhere to send mail.
    bool enabled() const { return !routes.empty() || smarthost.has_value(); }
};

}  // namespace mh::reference
