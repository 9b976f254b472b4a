#pragma once
// Password hashes for the reference server's accounts: PBKDF2-HMAC-SHA256 with a random salt,
// written as `pbkdf2-sha256$ITERATIONS$SALT_B64$HASH_B64` so that a config file can carry them.

#include <optional>
#include <string>
#include <string_view>

namespace mh::reference {

// Iterations for hashes made with `mailharness serve --hash-password` (OWASP 2023 advice).
inline constexpr unsigned strong_iterations = 600'000;
// Iterations for plaintext test-profile passwords hashed at load time: cheap, because every
// suite case logs in and these passwords are public anyway.
inline constexpr unsigned test_profile_iterations = 1'000;

struct PasswordHash {
    unsigned iterations = 0;
    std::string salt;  // raw bytes
    std::string hash;  // raw bytes (32 for SHA-256)
};

// Hashes `password` with a fresh random salt; returns the encoded form.
std::string hash_password(std::string_view password, unsigned iterations = strong_iterations);

// Parses the encoded form; nullopt (with `error` set) when it is malformed.
std::optional<PasswordHash> parse_password_hash(std::string_view encoded, std::string& error);

// True when `password` matches; the comparison of the derived keys takes constant time.
bool verify_password(const PasswordHash& stored, std::string_view password);

}  // namespace mh::reference
