#pragma once
// The PLAIN mechanism's message (RFC 4616 2): [authzid] NUL authcid NUL passwd.

#include <optional>
#include <string>
#include <string_view>

namespace mh::proto::sasl {

struct PlainCredentials {
    std::string authzid;  // empty: act as authcid
    std::string authcid;
    std::string password;
};

// nullopt unless there are exactly two NULs and authcid and password are non-empty.
std::optional<PlainCredentials> parse_plain(std::string_view message);

// The challenges of the LOGIN mechanism (draft-murchison-sasl-login), already base64.
inline constexpr std::string_view login_username_challenge = "VXNlcm5hbWU6";  // "Username:"
inline constexpr std::string_view login_password_challenge = "UGFzc3dvcmQ6";  // "Password:"

}  // namespace mh::proto::sasl
