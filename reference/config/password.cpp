#include "reference/config/password.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <charconv>
#include <stdexcept>
#include <vector>

namespace mh::reference {
namespace {

constexpr std::string_view scheme = "pbkdf2-sha256";
constexpr std::size_t salt_bytes = 16;
constexpr std::size_t key_bytes = 32;
constexpr unsigned max_iterations = 10'000'000;  // a typo must not hang every login

const unsigned char* bytes(std::string_view text) {
    return reinterpret_cast<const unsigned char*>(text.data());
}

std::string derive(std::string_view password, std::string_view salt, unsigned iterations,
                   std::size_t length) {
    std::string out(length, '\0');
    if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), bytes(salt),
                          static_cast<int>(salt.size()), static_cast<int>(iterations), EVP_sha256(),
                          static_cast<int>(length),
                          reinterpret_cast<unsigned char*>(out.data())) != 1) {
        throw std::runtime_error("PBKDF2 failed");
    }
    return out;
}

std::string base64_encode(std::string_view raw) {
    std::string out(4 * ((raw.size() + 2) / 3) + 1, '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes(raw),
                            static_cast<int>(raw.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
    if (text.empty() || text.size() % 4 != 0) {
        return std::nullopt;
    }
    std::string out(3 * text.size() / 4, '\0');
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes(text),
                            static_cast<int>(text.size()));
    if (n < 0) {
        return std::nullopt;
    }
    // EVP_DecodeBlock counts the padding as zero bytes.
    std::size_t padding = 0;
    for (auto it = text.rbegin(); it != text.rend() && *it == '='; ++it) {
        ++padding;
    }
    out.resize(static_cast<std::size_t>(n) - padding);
    return out;
}

}  // namespace

std::string hash_password(std::string_view password, unsigned iterations) {
    std::string salt(salt_bytes, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(salt.data()), static_cast<int>(salt.size())) !=
        1) {
        throw std::runtime_error("no random bytes for a password salt");
    }
    std::string key = derive(password, salt, iterations, key_bytes);
    return std::string(scheme) + "$" + std::to_string(iterations) + "$" + base64_encode(salt) +
           "$" + base64_encode(key);
}

std::optional<PasswordHash> parse_password_hash(std::string_view encoded, std::string& error) {
    std::vector<std::string_view> fields;
    for (std::size_t start = 0;;) {
        std::size_t end = encoded.find('$', start);
        fields.push_back(encoded.substr(start, end - start));
        if (end == std::string_view::npos) {
            break;
        }
        start = end + 1;
    }
    if (fields.size() != 4 || fields[0] != scheme) {
        error = "expected pbkdf2-sha256$ITERATIONS$SALT_B64$HASH_B64";
        return std::nullopt;
    }
    PasswordHash out;
    auto [ptr, ec] =
        std::from_chars(fields[1].data(), fields[1].data() + fields[1].size(), out.iterations);
    if (ec != std::errc{} || ptr != fields[1].data() + fields[1].size() || out.iterations == 0 ||
        out.iterations > max_iterations) {
        error = "iterations must be a number from 1 to " + std::to_string(max_iterations);
        return std::nullopt;
    }
    auto salt = base64_decode(fields[2]);
    auto hash = base64_decode(fields[3]);
    if (!salt || !hash || hash->empty()) {
        error = "salt and hash must be non-empty base64";
        return std::nullopt;
    }
    out.salt = std::move(*salt);
    out.hash = std::move(*hash);
    return out;
}

bool verify_password(const PasswordHash& stored, std::string_view password) {
    std::string key = derive(password, stored.salt, stored.iterations, stored.hash.size());
    return CRYPTO_memcmp(key.data(), stored.hash.data(), key.size()) == 0;
}

}  // namespace mh::reference
