#include "reference/config/accounts.hpp"

#include <algorithm>

namespace mh::reference {

std::string to_lower_ascii(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](char c) {
        return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    });
    return out;
}

AccountDirectory::AccountDirectory(std::vector<Account> accounts, std::vector<std::string> domains)
    : accounts_(std::move(accounts)),
      domains_(std::move(domains)),
      verified_(std::make_unique<VerifiedPasswords>(accounts_.size())) {}

const Account* AccountDirectory::find(std::string_view user) const {
    for (const Account& account : accounts_) {
        if (account.name == user) {
            return &account;
        }
    }
    return find_by_address(user);
}

const Account* AccountDirectory::find_by_address(std::string_view address) const {
    // The local part is case-sensitive in principle (RFC 5321 2.4), but every mailbox here
    // is configured lower-case and matching it loosely is what users expect.
    const std::string wanted = to_lower_ascii(address);
    for (const Account& account : accounts_) {
        if (std::find(account.addresses.begin(), account.addresses.end(), wanted) !=
            account.addresses.end()) {
            return &account;
        }
    }
    return nullptr;
}

bool AccountDirectory::serves_domain(std::string_view domain) const {
    return std::find(domains_.begin(), domains_.end(), to_lower_ascii(domain)) != domains_.end();
}

std::optional<std::string> AccountDirectory::authenticate(std::string_view user,
                                                          std::string_view password) const {
    const Account* account = find(user);
    if (account == nullptr ||
        !verified_->verify(static_cast<std::size_t>(account - accounts_.data()), account->password,
                           password)) {
        return std::nullopt;
    }
    return account->name;
}

}  // namespace mh::reference
