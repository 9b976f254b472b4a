#pragma once
// An in-memory Mailstore for tests and fuzzers: accounts with passwords, mailboxes as vectors,
// the same locking and snapshot rules as the reference server's Maildir store (RFC 1939 4: one
// session per maildrop; a session sees the messages present when it locked). Single-threaded.

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "proto/pop3/session.hpp"

namespace mh::proto::pop3 {

class MemoryStore : public Mailstore {
  public:
    void add_account(std::string name, std::string password);
    // Adds a message; bare LF line ends become CRLF and a missing final CRLF is added, so the
    // stored octet count is what RETR sends. Returns the message's UIDL value.
    std::string add_message(std::string_view account, std::string_view content);
    // The messages currently stored (what a new session would see).
    std::vector<std::string> contents(std::string_view account) const;
    bool locked(std::string_view account) const;
    // Messages added or removed so far, in every mailbox: one that keeps the store across
    // sessions (the fuzz target) sees at once whether a session changed it, without a copy.
    std::size_t changes() const { return changes_; }
    // Makes Maildrop::remove fail, to test the UPDATE state's error path.
    void fail_removals(bool fail) { fail_removals_ = fail; }

    std::optional<std::string> authenticate(std::string_view user,
                                            std::string_view password) override;
    std::optional<std::string> authenticate_apop(std::string_view user, std::string_view timestamp,
                                                 std::string_view digest) override;
    LockResult open(std::string_view account, std::unique_ptr<Maildrop>& out) override;

  private:
    class Drop;
    struct StoredMessage {
        std::string uid;
        std::string content;
    };
    struct Account {
        std::string password;
        std::vector<StoredMessage> messages;
        bool locked = false;
    };

    Account* find(std::string_view name);
    const Account* find(std::string_view name) const;

    std::map<std::string, Account, std::less<>> accounts_;
    std::size_t next_uid_ = 1;
    std::size_t changes_ = 0;
    bool fail_removals_ = false;
};

}  // namespace mh::proto::pop3
