#pragma once
// The reference POP3 server's session state machine, sans I/O (RFC 1939, CAPA of RFC 2449,
// STLS of RFC 2595, AUTH of RFC 5034). Bytes in through put(), actions out of next_event().
// The mailbox is reached through the Maildrop interface, which the reference server backs
// with its Maildir store and tests and fuzzers back with an in-memory store.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace mh::proto::pop3 {

struct MessageInfo {
    std::string uid;         // UIDL value: unique and stable across sessions (RFC 1939 7)
    std::size_t octets = 0;  // exact size as RETR sends it (CRLF line ends, before stuffing)
};

// One locked view of a mailbox for the length of a session (RFC 1939 4: the maildrop lock).
class Maildrop {
  public:
    virtual ~Maildrop() = default;
    virtual const std::vector<MessageInfo>& messages() const = 0;
    // Whole message, CRLF line ends, not byte-stuffed.
    virtual std::string read(std::size_t index) = 0;
    // UPDATE state: remove these (0-based) messages; returns false when it could not.
    virtual bool remove(const std::vector<std::size_t>& indexes) = 0;
};

enum class LockResult { locked, in_use, failed };

class Mailstore {
  public:
    virtual ~Mailstore() = default;
    // Returns the account name when user/password are right, nullopt otherwise.
    virtual std::optional<std::string> authenticate(std::string_view user,
                                                    std::string_view password) = 0;
    // APOP (RFC 1939 7): digest is hex MD5 of timestamp + shared secret.
    virtual std::optional<std::string> authenticate_apop(std::string_view user,
                                                         std::string_view timestamp,
                                                         std::string_view digest) = 0;
    // Locks the account's maildrop and snapshots it; in_use when another session holds it.
    virtual LockResult open(std::string_view account, std::unique_ptr<Maildrop>& out) = 0;
};

struct SessionConfig {
    std::string hostname = "pop.example.test";
    bool tls_available = true;           // STLS offered while not encrypted
    bool implicit_tls = false;           // port 995 (RFC 8314): start encrypted
    bool login_requires_tls = true;      // USER/PASS/APOP/AUTH refused before STLS
    bool apop_enabled = true;            // greeting carries a timestamp
    std::string apop_timestamp;          // "<pid.clock@host>", chosen by the loop (no clock here)
    std::size_t command_line = 255 + 2;  // RFC 2449 4: 255 octets incl. CRLF; we allow CRLF on top
    std::size_t sasl_line = 4096;        // a SASL response line (RFC 5034 4 sets no limit)
    unsigned hard_error_limit = 20;      // -ERR replies before the session is closed
    std::string implementation = "mailharness";
    std::optional<unsigned> expire_days;       // CAPA EXPIRE, when configured
    std::optional<unsigned> login_delay_secs;  // CAPA LOGIN-DELAY, when configured
};

struct WriteEvent {
    std::string bytes;
};
struct StartTlsEvent {};  // perform the TLS handshake, then call tls_established()
struct CloseEvent {};
using Event = std::variant<WriteEvent, StartTlsEvent, CloseEvent>;

enum class State { authorization, transaction, update, closed };

class Session {
  public:
    Session(SessionConfig config, Mailstore& store);
    ~Session();
    Session(Session&&) noexcept;
    Session& operator=(Session&&) noexcept;

    // Queues the greeting; with implicit_tls the greeting waits for tls_established() (the loop
    // does the handshake first, as for SMTP's smtps listener).
    void start();
    // Takes client bytes and answers every complete command in them, batched into one write
    // (RFC 2449 6.6 PIPELINING). Replies are produced lazily: once a batch holds about 64 KiB
    // (a RETR), the remaining commands wait until next_event() has handed the batch out, so
    // memory stays bounded whatever is pipelined. Returns the bytes taken: less than given only
    // when more than 64 KiB of unanswered commands are already waiting; the loop offers the
    // rest again after draining next_event(). After STLS the rest of the read and everything
    // until tls_established() is taken and discarded (RFC 2595 4).
    std::size_t put(std::string_view bytes);
    // The client closed its side: commands already received are still answered, then the
    // session closes without the UPDATE state, so nothing is deleted (RFC 1939 6).
    void put_eof();
    std::optional<Event> next_event();
    // STLS: the handshake is done (no new greeting, RFC 2595 4). Implicit TLS: sends the greeting.
    void tls_established();
    void timed_out();  // autologout timer (RFC 1939 3): close without UPDATE

    State state() const;
    bool encrypted() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace mh::proto::pop3
