#pragma once
// Account lookup and password checks shared by the SMTP Policy and the POP3 Mailstore.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reference/config/config.hpp"
#include "reference/config/verified_passwords.hpp"

namespace mh::reference {

class AccountDirectory {
  public:
    AccountDirectory(std::vector<Account> accounts, std::vector<std::string> domains);

    // By login name, or by one of the account's addresses (case-insensitive).
    const Account* find(std::string_view user) const;
    const Account* find_by_address(std::string_view address) const;
    bool serves_domain(std::string_view domain) const;
    // The account name when the password is right; nullopt otherwise (unknown user included).
    // A password verified before for the same account is recognised without PBKDF2
    // (VerifiedPasswords).
    std::optional<std::string> authenticate(std::string_view user, std::string_view password) const;
    const std::vector<Account>& accounts() const { return accounts_; }

  private:
    std::vector<Account> accounts_;
    std::vector<std::string> domains_;
    std::unique_ptr<VerifiedPasswords> verified_;  // one entry per account
};

std::string to_lower_ascii(std::string_view text);

}  // namespace mh::reference
