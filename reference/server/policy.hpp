#pragma once
// The SMTP Policy of the reference server, over its configured accounts: mail for served
// domains goes to known mailboxes only; mail for other domains is relayed only for
// authenticated clients (not an open relay, RFC 5321 7.1 / RFC 6409 4).

#include <optional>
#include <string>
#include <string_view>

#include "proto/smtp/session.hpp"
#include "reference/config/accounts.hpp"

namespace mh::reference {

class ConfigPolicy : public proto::smtp::Policy {
  public:
    ConfigPolicy(const AccountDirectory& accounts, bool vrfy_enabled);

    proto::smtp::RecipientVerdict verify_recipient(std::string_view address,
                                                   bool authenticated) override;
    std::optional<std::string> authenticate(std::string_view authzid, std::string_view user,
                                            std::string_view password) override;
    std::optional<std::string> verify_address(std::string_view query) override;

    // The account whose Maildir receives mail for a local `address`; postmaster (bare or at a
    // served domain, RFC 5321 4.5.1) goes to an account named "postmaster", else the first one.
    const Account* mailbox_for(std::string_view address) const;

  private:
    const AccountDirectory& accounts_;
    bool vrfy_enabled_;
};

}  // namespace mh::reference
