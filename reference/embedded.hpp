#pragma once
// The embedded default target: the reference SMTP and POP3 server started in-process on free
// loopback ports, serving the fixed profile of docs/scenario-format.md (domain example.test,
// accounts alice/alice-pw and bob/bob-pw, STARTTLS with a generated certificate). The runner
// (through cli/) and the tests use it; the harness library itself never includes reference/.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "reference/store/group_commit.hpp"

namespace mh::reference {

struct EmbeddedEndpoints {
    std::string host = "127.0.0.1";
    std::uint16_t smtp = 0;        // plain, STARTTLS offered
    std::uint16_t submission = 0;  // RFC 6409: AUTH required
    std::uint16_t smtps = 0;       // RFC 8314 implicit TLS
    std::uint16_t pop3 = 0;        // plain, STLS offered (0 until POP3 exists)
    std::uint16_t pop3s = 0;       // implicit TLS
};

struct EmbeddedOptions {
    // What becomes of a delivered message. discard: for the network fuzzer, which sends
    // thousands of conversations a second and never fetches what it sent. unsynced: for the
    // runner, whose POP3 cases fetch what they delivered from a store deleted at exit (an
    // fsync there would only wait for the disk). durable: what `serve` does.
    Durability store = Durability::durable;
    // Worker threads of the server's io_context. The network fuzzer's jobs keep the cores busy
    // themselves; one worker saves the hand-offs between workers (a futex wake-up each).
    unsigned threads = 2;
    // For `bench`: this many more accounts, load1..loadN (password loadN-pw, address
    // loadN@example.test), so that N POP3 sessions at once each lock a maildrop of their own
    // (RFC 1939 4: a second session on a locked maildrop is refused).
    unsigned load_accounts = 0;
    // For `bench`: connections the caller keeps open at once. The limits on open connections
    // (in all, and from one address: all of them come from 127.0.0.1) are raised to admit
    // twice that, since a session that reconnects may be admitted before its last one is gone.
    unsigned clients = 0;
};

class EmbeddedServer {
  public:
    // Starts listeners on 127.0.0.1 with ephemeral ports and a store under `maildir_root`
    // (created when missing). Throws std::runtime_error with the reason on failure.
    static std::unique_ptr<EmbeddedServer> start(const std::filesystem::path& maildir_root,
                                                 EmbeddedOptions options = {});

    virtual ~EmbeddedServer() = default;
    virtual const EmbeddedEndpoints& endpoints() const = 0;
    // Stops accepting, closes sessions, joins the worker threads. Idempotent.
    virtual void stop() = 0;
};

}  // namespace mh::reference
