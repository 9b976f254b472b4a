#pragma once
// The POP3 Mailstore over the accounts' Maildirs (RFC 1939). A session locks the account with
// flock() on ROOT/<account>/Maildir/pop3.lock: flock locks belong to the open file, so two
// sessions of this process exclude each other exactly like two server processes do (RFC 1939
// 8: one session per maildrop). The view is the snapshot of new/ and cur/ taken at open.

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "proto/pop3/session.hpp"
#include "reference/config/accounts.hpp"

namespace mh::reference {

class MaildirMailstore : public proto::pop3::Mailstore {
  public:
    MaildirMailstore(std::filesystem::path root, const AccountDirectory& accounts);

    std::optional<std::string> authenticate(std::string_view user,
                                            std::string_view password) override;
    std::optional<std::string> authenticate_apop(std::string_view user, std::string_view timestamp,
                                                 std::string_view digest) override;
    proto::pop3::LockResult open(std::string_view account,
                                 std::unique_ptr<proto::pop3::Maildrop>& out) override;

  private:
    std::filesystem::path root_;
    const AccountDirectory& accounts_;
};

// The UIDL of a maildir file: its name without the ":2,FLAGS" info suffix, so it stays the
// same when a reader moves the file to cur/ and sets flags.
std::string maildir_uid(std::string_view file_name);

}  // namespace mh::reference
