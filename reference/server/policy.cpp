#include "reference/server/policy.hpp"

namespace mh::reference {

using proto::smtp::RecipientVerdict;

ConfigPolicy::ConfigPolicy(const AccountDirectory& accounts, bool vrfy_enabled)
    : accounts_(accounts), vrfy_enabled_(vrfy_enabled) {}

const Account* ConfigPolicy::mailbox_for(std::string_view address) const {
    const auto at = address.rfind('@');
    const std::string local = to_lower_ascii(address.substr(0, at));
    const bool bare = at == std::string_view::npos;
    if (!bare && !accounts_.serves_domain(address.substr(at + 1))) {
        return nullptr;
    }
    if (local == "postmaster") {
        if (const Account* account = accounts_.find("postmaster")) {
            return account;
        }
        return accounts_.accounts().empty() ? nullptr : &accounts_.accounts().front();
    }
    return bare ? nullptr : accounts_.find_by_address(address);
}

RecipientVerdict ConfigPolicy::verify_recipient(std::string_view address, bool authenticated) {
    const auto at = address.rfind('@');
    const bool local_domain =
        at == std::string_view::npos || accounts_.serves_domain(address.substr(at + 1));
    if (local_domain) {
        return mailbox_for(address) != nullptr ? RecipientVerdict::local
                                               : RecipientVerdict::unknown_user;
    }
    return authenticated ? RecipientVerdict::relay : RecipientVerdict::relay_denied;
}

std::optional<std::string> ConfigPolicy::authenticate(std::string_view authzid,
                                                      std::string_view user,
                                                      std::string_view password) {
    auto account = accounts_.authenticate(user, password);
    // No proxy authorisation: an authzid, when given, must name the same account.
    if (account && !authzid.empty()) {
        const Account* wanted = accounts_.find(authzid);
        if (wanted == nullptr || wanted->name != *account) {
            return std::nullopt;
        }
    }
    return account;
}

std::optional<std::string> ConfigPolicy::verify_address(std::string_view query) {
    if (!vrfy_enabled_) {
        return std::nullopt;
    }
    const Account* account = accounts_.find(query);
    if (account == nullptr || account->addresses.empty()) {
        return std::nullopt;
    }
    return "<" + account->addresses.front() + ">";
}

}  // namespace mh::reference
