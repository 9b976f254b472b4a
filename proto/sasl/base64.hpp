#pragma once
// Base64 (RFC 4648 4) as SASL uses it (RFC 4954 4): strict decoding, because a response that is
// not valid base64 must fail the exchange rather than be guessed at.

#include <optional>
#include <string>
#include <string_view>

namespace mh::proto::sasl {

std::string base64_encode(std::string_view bytes);
// nullopt on a character outside the alphabet, misplaced or missing padding, or a length that
// is not a multiple of 4.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace mh::proto::sasl
