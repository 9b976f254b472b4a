#pragma once
// A verified-credentials cache, like Dovecot's auth cache: per account, a keyed digest of the
// last password that passed the PBKDF2 check. A client that logs in again and again with the
// right password (the network fuzzer: thousands of AUTHs a second) then costs one HMAC instead
// of the key derivation. Only a password equal to the remembered one hits: any other (a wrong
// one included) goes through the full check, and an entry vouches for its own account only.
// One entry per account, so memory stays bounded whatever clients send. The digests use a
// random key made per process, so they are worth nothing outside it.

#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "reference/config/password.hpp"

namespace mh::reference {

class VerifiedPasswords {
  public:
    explicit VerifiedPasswords(std::size_t accounts);

    // verify_password(stored, password), answered from the cache when `password` is the one
    // last verified for `account` (an index below the constructor's count).
    bool verify(std::size_t account, const PasswordHash& stored, std::string_view password);

    // How many checks went to PBKDF2 (for tests).
    std::size_t full_checks() const;

  private:
    std::string digest(std::string_view password) const;

    std::string key_;
    mutable std::mutex mutex_;
    std::vector<std::string> verified_;  // per account: digest of its last verified password
    std::size_t full_checks_ = 0;
};

}  // namespace mh::reference
