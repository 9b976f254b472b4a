#pragma once
// The reference SMTP server's session state machine, sans I/O (RFC 5321 section 4, with the
// extensions listed in SessionConfig). Bytes from the client go in through put(); what the
// connection loop must do comes out of next_event(). The machine never blocks and never
// touches a socket, a clock or a file: delivery and the TLS handshake are events whose
// completion the loop reports back (delivery_done, tls_established), which lets the loop
// batch fsyncs of concurrent sessions (group commit) without the machine knowing.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "proto/smtp/reply.hpp"

namespace mh::proto::smtp {

// What a listener is for; selects RFC 6409 / RFC 8314 behaviour.
enum class ListenerKind {
    relay,       // port 25 style: STARTTLS offered, AUTH optional
    submission,  // port 587 (RFC 6409): MAIL requires AUTH
    smtps,       // implicit TLS (RFC 8314): session starts already encrypted
};

// How bare CR / bare LF inside DATA are treated (SMTP smuggling defence, RFC 5321 2.3.8).
enum class BareLineEndPolicy {
    reject,  // the transaction fails with 5xx after end-of-data (the default)
    accept,  // kept as message content; never part of an end-of-data sequence
};

struct Limits {
    std::size_t command_line = 512;                   // octets incl. CRLF (RFC 5321 4.5.3.1.4)
    std::size_t text_line = 1000;                     // octets incl. CRLF (RFC 5321 4.5.3.1.6)
    std::size_t sasl_line = 12288;                    // AUTH line, SASL response (RFC 4954 4)
    std::size_t max_message_size = 10 * 1024 * 1024;  // SIZE value advertised; 552 beyond
    std::size_t max_recipients = 100;                 // 452 beyond (RFC 5321 4.5.3.1.8 asks >= 100)
    std::size_t max_messages_per_session = 1000;
    unsigned soft_error_limit = 3;   // errors before replies are delayed (loop decides)
    unsigned hard_error_limit = 20;  // errors before 421 and close
};

enum class RecipientVerdict {
    local,         // a mailbox we serve: accept
    relay,         // a foreign domain this client may relay to: accept, queue for relay
    unknown_user,  // our domain, no such mailbox: 550 5.1.1
    relay_denied,  // foreign domain, client not authorised: 554/550 5.7.1
};

// Policy decisions the machine asks for synchronously; implemented by the reference server
// (config-backed) and by test and fuzz stubs.
class Policy {
  public:
    virtual ~Policy() = default;
    virtual RecipientVerdict verify_recipient(std::string_view address, bool authenticated) = 0;
    // Returns the authenticated identity (account name) or nullopt when the credentials fail.
    virtual std::optional<std::string> authenticate(std::string_view authzid, std::string_view user,
                                                    std::string_view password) = 0;
    // VRFY / EXPN answers; nullopt means "not disclosed" (252 for VRFY, 502/550 for EXPN).
    virtual std::optional<std::string> verify_address(std::string_view /*query*/) {
        return std::nullopt;
    }
};

struct SessionConfig {
    std::string hostname = "mx.example.test";  // used in the greeting and Received:
    ListenerKind kind = ListenerKind::relay;
    bool tls_available = true;      // STARTTLS offered when not yet encrypted
    bool auth_requires_tls = true;  // AUTH offered only over TLS (RFC 4954 4)
    bool vrfy_enabled = false;      // else 252 (RFC 5321 3.5.3)
    bool expn_enabled = false;      // else 502
    BareLineEndPolicy bare_line_ends = BareLineEndPolicy::reject;
    Limits limits{};
    std::string peer_address;  // for Received: (IP, or address literal)
    // The date-time of the Received: field (RFC 5322 3.3), e.g. "Thu, 26 Nov 2026 17:04:32
    // +0000". The machine has no clock, so the loop supplies it; unset gives the epoch.
    std::function<std::string()> received_date;
};

struct Envelope {
    std::string mail_from;                     // reverse-path without brackets; "" for <>
    std::vector<std::string> recipients;       // forward-paths without brackets
    std::vector<RecipientVerdict> verdicts;    // parallel to recipients: local or relay
    bool body_8bitmime = false;                // BODY=8BITMIME
    bool smtputf8 = false;                     // SMTPUTF8 parameter
    std::optional<std::size_t> declared_size;  // SIZE= parameter
    std::string helo;                          // the EHLO/HELO argument
    std::string authenticated_as;              // empty when not authenticated
    bool tls = false;                          // received over TLS (for Received: "with ESMTPS")
};

// Events for the connection loop.
struct WriteEvent {
    std::string bytes;  // one or more complete replies, ready to send
};
struct StartTlsEvent {};  // perform the server-side TLS handshake, then call tls_established()
struct DeliverEvent {
    Envelope envelope;
    std::string message;  // unstuffed content, CRLF line ends, Received: field prepended
};
struct CloseEvent {};  // flush pending writes, then close the connection
using Event = std::variant<WriteEvent, StartTlsEvent, DeliverEvent, CloseEvent>;

enum class DeliveryStatus { stored, temporary_failure, permanent_failure, insufficient_storage };

class Session {
  public:
    Session(SessionConfig config, Policy& policy);
    ~Session();
    Session(Session&&) noexcept;
    Session& operator=(Session&&) noexcept;

    // Queues the 220 greeting (or nothing until tls_established() for implicit TLS).
    void start();
    // Back to a new session's state with the same config and policy: not started, nothing
    // pending, nothing the client established. Keeps the buffers' capacity, so a loop (or a fuzz
    // target) that serves one connection after another needs no new machine for each.
    void reset();
    // Consumes client bytes; the machine buffers at most its line / chunk limits. Returns the
    // number of bytes taken: less than given while a Deliver event awaits completion; the loop
    // re-offers the rest after delivery_done(). Bytes that arrive after a STARTTLS command in
    // the same plaintext read are consumed and discarded (RFC 3207 4.2: no command injection).
    std::size_t put(std::string_view bytes);
    // The client closed its side.
    void put_eof();
    // The next action for the loop, or nullopt when the machine needs more input.
    std::optional<Event> next_event();

    void tls_established();
    void delivery_done(DeliveryStatus status);
    // The loop's idle timer fired: queues 421 and close (RFC 5321 4.5.3.2).
    void timed_out();

    bool closed() const;
    // Replies that rejected a client command so far (delivery failures not included); the loop
    // may slow down replies once it passes Limits::soft_error_limit.
    unsigned error_count() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace mh::proto::smtp
