#pragma once
// Base64 (RFC 4648 section 4) for SASL exchanges: strict decoding, since a SASL response that is
// not valid base64 must fail the exchange (RFC 5034 4, RFC 4954 4).

#include <optional>
#include <string>
#include <string_view>

namespace mh::proto::pop3::detail {

std::string base64_encode(std::string_view bytes);
// nullopt on characters outside the alphabet, bad padding or a length that is not a multiple of 4.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace mh::proto::pop3::detail
