#pragma once
// The client side of SASL PLAIN (RFC 4616 2), shared by SMTP AUTH and POP3 AUTH.

#include <string>
#include <string_view>

#include "proto/sasl/base64.hpp"

namespace mh::reference::clients::detail {

// The base64 PLAIN response with an empty authzid: NUL user NUL password.
inline std::string plain_response(std::string_view user, std::string_view password) {
    std::string message(1, '\0');
    message += user;
    message += '\0';
    message += password;
    return proto::sasl::base64_encode(message);
}

}  // namespace mh::reference::clients::detail
