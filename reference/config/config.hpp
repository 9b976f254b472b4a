#pragma once
// The reference server's configuration: a YAML file (docs/serve.md) plus command-line
// overrides, or the embedded default profile of shared/design/scenario-format.md.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "proto/smtp/session.hpp"
#include "reference/config/password.hpp"
#include "reference/config/relay_config.hpp"
#include "reference/faults/fault_plan.hpp"

namespace mh::reference {

// A configuration that cannot be used; what() is "FILE:LINE:COLUMN: reason" for file errors.
class ConfigError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct Endpoint {
    std::string address;  // numeric IPv4 or IPv6 (without brackets)
    std::uint16_t port = 0;

    std::string to_string() const;  // "127.0.0.1:25", "[::1]:25"
    bool operator==(const Endpoint&) const = default;
};

// "ADDR:PORT" with ADDR an IPv4 address or a bracketed IPv6 address; port 0 means ephemeral.
// Throws ConfigError naming the text.
Endpoint parse_endpoint(std::string_view text);

struct Account {
    std::string name;                    // login name and Maildir folder
    std::vector<std::string> addresses;  // lower-case; local-part@domain
    PasswordHash password;
    std::optional<std::string> apop_secret;  // APOP needs the secret in clear (RFC 1939 7)
};

struct Listeners {
    std::vector<Endpoint> smtp;        // relay port: STARTTLS offered, AUTH optional
    std::vector<Endpoint> submission;  // RFC 6409: AUTH required
    std::vector<Endpoint> smtps;       // RFC 8314 implicit TLS
    std::vector<Endpoint> pop3;        // STLS offered
    std::vector<Endpoint> pop3s;       // implicit TLS

    bool empty() const;
};

struct Timeouts {
    std::chrono::seconds smtp_idle{300};  // RFC 5321 4.5.3.2.7: server timeout 5 minutes
    std::chrono::seconds pop3_idle{600};  // RFC 1939 3: autologout at least 10 minutes
    // From one reply to the next: a whole command must arrive in this time, however slowly its
    // bytes trickle in (RFC 5321 4.5.3.2.7 for SMTP, the autologout for POP3).
    std::chrono::seconds smtp_command{300};
    std::chrono::seconds pop3_command{600};
    // From 354 to the end of the content (RFC 5321 4.5.3.2.6 gives the client 10 minutes).
    std::chrono::seconds smtp_data{600};
    std::chrono::seconds session{3600};  // a whole connection, whatever it does
    std::chrono::seconds tls_handshake{30};
    std::chrono::seconds shutdown_grace{10};  // SIGTERM: how long sessions may finish
};

// Limits the proto sessions do not see: connections and the failed-login delay.
struct ServerLimits {
    std::size_t connections = 1024;             // open sessions, all listeners together
    std::size_t connections_per_address = 128;  // open sessions from one client address
    // A failed AUTH/PASS/APOP from an address delays its reply by base * 2^(failures-1), at most
    // `max`; the count is forgotten after `forget_after` without failures.
    std::chrono::milliseconds auth_failure_delay{1000};
    std::chrono::milliseconds auth_failure_delay_max{15000};
    std::chrono::seconds auth_failure_forget_after{900};
    // Once an SMTP session has more rejected commands than limits.soft_error_limit, each
    // further reply waits this much longer (bounded by auth_failure_delay_max).
    std::chrono::milliseconds error_delay{500};
};

struct Config {
    std::string hostname = "mx.example.test";
    std::vector<std::string> domains;  // served domains, lower-case
    std::vector<Account> accounts;
    Listeners listeners;
    proto::smtp::Limits limits;
    ServerLimits server_limits;  // read from the same `limits:` section
    Timeouts timeouts;
    bool auth_requires_tls = true;
    bool vrfy_enabled = false;
    bool expn_enabled = false;
    proto::smtp::BareLineEndPolicy bare_line_ends = proto::smtp::BareLineEndPolicy::reject;
    std::filesystem::path tls_cert;  // PEM; both empty -> a self-signed pair made at start
    std::filesystem::path tls_key;
    std::filesystem::path maildir = "maildir";
    bool durable = true;   // false: accept and discard (load testing the clients)
    bool fsync = true;     // false (with durable): Durability::unsynced, for throwaway stores
    unsigned threads = 0;  // 0: one per core
    bool quiet = false;    // no per-session log lines
    RelayConfig relay;     // where mail for foreign domains goes (docs/relay.md)
    std::string user;      // when started as root: run as this user once listening
    FaultPlan faults;      // `serve --faults FILE`: injected faults (docs/faults.md)
};

// example.test with alice/alice-pw and bob/bob-pw; no listeners (the caller chooses them).
Config embedded_profile();
// An account of that profile's kind: NAME, address NAME@example.test, password NAME-pw.
Account embedded_profile_account(const std::string& name);

// Reads a YAML configuration; unknown keys and bad values are errors with their position.
Config load_config(const std::filesystem::path& file);
// Same, from text; `name` is used in error positions.
Config parse_config(std::string_view yaml, const std::string& name);

// Default listeners of `mailharness serve` when neither flags nor file give any.
Listeners default_listeners();

}  // namespace mh::reference
