#pragma once
// The PLAIN SASL message (RFC 4616 2): [authzid] NUL authcid NUL passwd.

#include <optional>
#include <string>
#include <string_view>

namespace mh::proto::pop3::detail {

struct PlainCredentials {
    std::string authzid;  // empty when the client asks for no other identity
    std::string authcid;
    std::string password;
};

// nullopt unless there are exactly two NULs and authcid and password are non-empty.
std::optional<PlainCredentials> parse_sasl_plain(std::string_view message);

// The message a client sends (not yet base64-encoded).
std::string make_sasl_plain(std::string_view authcid, std::string_view password);

}  // namespace mh::proto::pop3::detail
