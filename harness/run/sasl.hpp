#pragma once
// The client side of the login mechanisms the `auth:` step speaks (OpenSSL for the digests).

#include <optional>
#include <string>
#include <string_view>

namespace mh::harness::run::sasl {

std::string base64_encode(std::string_view bytes);
// nullopt when the text is not valid base64.
std::optional<std::string> base64_decode(std::string_view text);

// RFC 4616: base64 of "" NUL user NUL password.
std::string plain_response(std::string_view user, std::string_view password);
// RFC 2195: base64 of "user " + lower-hex HMAC-MD5(password, decoded challenge).
std::optional<std::string> cram_md5_response(std::string_view user, std::string_view password,
                                             std::string_view base64_challenge);
// RFC 1939 7: lower-hex MD5 of the greeting's "<...>" timestamp followed by the password;
// nullopt when the greeting carries no timestamp.
std::optional<std::string> apop_digest(std::string_view greeting, std::string_view password);

}  // namespace mh::harness::run::sasl
