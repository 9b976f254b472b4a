#include "proto/smtp/static_policy.hpp"

#include <algorithm>

#include "proto/common/ascii.hpp"

namespace mh::proto::smtp {

StaticPolicy::StaticPolicy(std::vector<std::string> domains, std::vector<Account> accounts)
    : domains_(std::move(domains)), accounts_(std::move(accounts)) {}

const StaticPolicy::Account* StaticPolicy::find_account(std::string_view name) const {
    const auto it = std::find_if(accounts_.begin(), accounts_.end(),
                                 [name](const Account& account) { return account.name == name; });
    return it == accounts_.end() ? nullptr : &*it;
}

bool StaticPolicy::serves(std::string_view domain) const {
    return std::any_of(domains_.begin(), domains_.end(),
                       [domain](const std::string& served) { return iequals(served, domain); });
}

RecipientVerdict StaticPolicy::verify_recipient(std::string_view address, bool authenticated) {
    const std::size_t at = address.rfind('@');
    if (at == std::string_view::npos) {
        // RFC 5321 4.5.1: <Postmaster> without a domain is always accepted.
        return iequals(address, "Postmaster") ? RecipientVerdict::local
                                              : RecipientVerdict::unknown_user;
    }
    const std::string_view local = address.substr(0, at);
    if (serves(address.substr(at + 1))) {
        return find_account(local) != nullptr || iequals(local, "postmaster")
                   ? RecipientVerdict::local
                   : RecipientVerdict::unknown_user;
    }
    return authenticated ? RecipientVerdict::relay : RecipientVerdict::relay_denied;
}

std::optional<std::string> StaticPolicy::authenticate(std::string_view authzid,
                                                      std::string_view user,
                                                      std::string_view password) {
    const Account* account = find_account(user);
    if (account == nullptr || account->password != password ||
        (!authzid.empty() && authzid != user)) {
        return std::nullopt;
    }
    return account->name;
}

std::optional<std::string> StaticPolicy::verify_address(std::string_view query) {
    const std::string_view name = query.substr(0, query.find('@'));
    if (find_account(name) == nullptr || domains_.empty()) {
        return std::nullopt;
    }
    return std::string(name) + "@" + domains_.front();
}

}  // namespace mh::proto::smtp
