#pragma once
// MD5 (RFC 1321) for APOP digests (RFC 1939 7). The protocol core links no crypto library, and
// APOP is the only user; MD5 is not used anywhere for security beyond what APOP defines.

#include <string>
#include <string_view>

namespace mh::proto::pop3::detail {

// Lower-case hex digest of `bytes`, 32 characters.
std::string md5_hex(std::string_view bytes);

}  // namespace mh::proto::pop3::detail
