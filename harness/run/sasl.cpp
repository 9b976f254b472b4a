#include "harness/run/sasl.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdio>
#include <vector>

namespace mh::harness::run::sasl {

namespace {

const unsigned char* bytes_of(std::string_view text) {
    return reinterpret_cast<const unsigned char*>(text.data());
}

std::string hex(const unsigned char* digest, std::size_t size) {
    std::string out;
    for (std::size_t i = 0; i < size; ++i) {
        char pair[3];
        std::snprintf(pair, sizeof pair, "%02x", digest[i]);
        out += pair;
    }
    return out;
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
    std::vector<unsigned char> out(4 * ((bytes.size() + 2) / 3) + 1);
    const int size = EVP_EncodeBlock(out.data(), bytes_of(bytes), static_cast<int>(bytes.size()));
    return std::string(reinterpret_cast<const char*>(out.data()), static_cast<std::size_t>(size));
}

std::optional<std::string> base64_decode(std::string_view text) {
    while (!text.empty() && (text.back() == ' ' || text.back() == '\r')) {
        text.remove_suffix(1);
    }
    if (text.size() % 4 != 0) {
        return std::nullopt;
    }
    std::vector<unsigned char> out(text.size() / 4 * 3 + 1);
    const int size = EVP_DecodeBlock(out.data(), bytes_of(text), static_cast<int>(text.size()));
    if (size < 0) {
        return std::nullopt;
    }
    std::size_t length = static_cast<std::size_t>(size);
    for (std::size_t i = text.size(); i > 0 && text[i - 1] == '='; --i) {
        --length;  // EVP_DecodeBlock counts padding as zero bytes
    }
    return std::string(reinterpret_cast<const char*>(out.data()), length);
}

std::string plain_response(std::string_view user, std::string_view password) {
    std::string message;
    message += '\0';
    message += user;
    message += '\0';
    message += password;
    return base64_encode(message);
}

std::optional<std::string> cram_md5_response(std::string_view user, std::string_view password,
                                             std::string_view base64_challenge) {
    const auto challenge = base64_decode(base64_challenge);
    if (!challenge) {
        return std::nullopt;
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    HMAC(EVP_md5(), password.data(), static_cast<int>(password.size()), bytes_of(*challenge),
         challenge->size(), digest, &size);
    return base64_encode(std::string(user) + " " + hex(digest, size));
}

std::optional<std::string> apop_digest(std::string_view greeting, std::string_view password) {
    const std::size_t open = greeting.find('<');
    const std::size_t close = open == std::string_view::npos ? open : greeting.find('>', open);
    if (close == std::string_view::npos) {
        return std::nullopt;
    }
    const std::string input =
        std::string(greeting.substr(open, close - open + 1)) + std::string(password);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_Digest(input.data(), input.size(), digest, &size, EVP_md5(), nullptr);
    return hex(digest, size);
}

}  // namespace mh::harness::run::sasl
