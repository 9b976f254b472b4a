// SASL helpers (proto/sasl/): strict base64 (RFC 4648 4) and the PLAIN message (RFC 4616 2); the
// LOGIN mechanism is base64 lines, covered by the same decoder.
// Invariants: decode(encode(x)) == x for any x; whatever decodes has the size its length and
// padding imply and re-encodes to text that decodes to the same bytes; text whose length is not
// a multiple of 4 never decodes; a parsed PLAIN message is exactly authzid NUL authcid NUL passwd
// with non-empty authcid and password.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/support/fuzz_input.hpp"
#include "proto/sasl/base64.hpp"
#include "proto/sasl/plain.hpp"

namespace {

using mh::fuzz::require;
namespace sasl = mh::proto::sasl;

void check_base64(std::string_view input) {
    const std::string encoded = sasl::base64_encode(input);
    require(encoded.size() == (input.size() + 2) / 3 * 4, "base64 output of the wrong length");
    const auto decoded_back = sasl::base64_decode(encoded);
    require(decoded_back && *decoded_back == input, "decode(encode(x)) != x");

    const auto decoded = sasl::base64_decode(input);
    if (!decoded) {
        return;
    }
    require(input.size() % 4 == 0, "base64 text of a length not a multiple of 4 decoded");
    const std::size_t padding = input.ends_with("==") ? 2 : input.ends_with('=') ? 1 : 0;
    require(decoded->size() == input.size() / 4 * 3 - padding, "decoded size does not match");
    const auto again = sasl::base64_decode(sasl::base64_encode(*decoded));
    require(again && *again == *decoded, "decoded bytes do not survive a second round");
}

void check_plain(std::string_view message) {
    const auto credentials = sasl::parse_plain(message);
    if (!credentials) {
        return;
    }
    require(!credentials->authcid.empty() && !credentials->password.empty(),
            "PLAIN accepted an empty authcid or password");
    require(credentials->authzid + '\0' + credentials->authcid + '\0' + credentials->password ==
                message,
            "PLAIN fields do not rebuild the message");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input = mh::fuzz::as_text(data, size);
    check_base64(input);
    check_plain(input);
    if (const auto decoded = sasl::base64_decode(input)) {
        check_plain(*decoded);  // the PLAIN message as it arrives inside AUTH
    }
    return 0;
}
