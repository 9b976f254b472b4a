#include "reference/config/verified_passwords.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <stdexcept>

namespace mh::reference {

VerifiedPasswords::VerifiedPasswords(std::size_t accounts) : key_(32, '\0'), verified_(accounts) {
    if (RAND_bytes(reinterpret_cast<unsigned char*>(key_.data()), static_cast<int>(key_.size())) !=
        1) {
        throw std::runtime_error("no random bytes for the verified-password cache key");
    }
}

std::string VerifiedPasswords::digest(std::string_view password) const {
    std::string out(EVP_MAX_MD_SIZE, '\0');
    unsigned length = 0;
    if (HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
             reinterpret_cast<const unsigned char*>(password.data()), password.size(),
             reinterpret_cast<unsigned char*>(out.data()), &length) == nullptr) {
        throw std::runtime_error("HMAC failed");
    }
    out.resize(length);
    return out;
}

bool VerifiedPasswords::verify(std::size_t account, const PasswordHash& stored,
                               std::string_view password) {
    const std::string presented = digest(password);
    {
        const std::lock_guard lock(mutex_);
        const std::string& known = verified_.at(account);
        if (known.size() == presented.size() &&
            CRYPTO_memcmp(known.data(), presented.data(), known.size()) == 0) {
            return true;
        }
        ++full_checks_;
    }
    if (!verify_password(stored, password)) {
        return false;
    }
    const std::lock_guard lock(mutex_);
    verified_[account] = presented;
    return true;
}

std::size_t VerifiedPasswords::full_checks() const {
    const std::lock_guard lock(mutex_);
    return full_checks_;
}

}  // namespace mh::reference
