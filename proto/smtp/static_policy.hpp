#pragma once
// A Policy from fixed lists, for tests and fuzz targets: served domains, accounts with plain
// passwords (never for a real deployment: the reference server hashes them).

#include <string>
#include <vector>

#include "proto/smtp/session.hpp"

namespace mh::proto::smtp {

class StaticPolicy : public Policy {
  public:
    struct Account {
        std::string name;  // the local part of its mailbox in every served domain
        std::string password;
    };

    StaticPolicy(std::vector<std::string> domains, std::vector<Account> accounts);

    // local: an account in a served domain (or Postmaster); unknown_user: a served domain
    // without that account; relay / relay_denied: any other domain, by authentication.
    RecipientVerdict verify_recipient(std::string_view address, bool authenticated) override;
    // The account name when authzid is empty or the same account and the password matches.
    std::optional<std::string> authenticate(std::string_view authzid, std::string_view user,
                                            std::string_view password) override;
    // "name@first-domain" for an account name or its address; nullopt otherwise.
    std::optional<std::string> verify_address(std::string_view query) override;

  private:
    const Account* find_account(std::string_view name) const;
    bool serves(std::string_view domain) const;

    std::vector<std::string> domains_;
    std::vector<Account> accounts_;
};

}  // namespace mh::proto::smtp
