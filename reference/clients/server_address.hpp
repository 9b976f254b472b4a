#pragma once
// The --server HOST:PORT option of the clients ("[::1]:2110" for IPv6 literals).

#include <cstdint>
#include <string>
#include <string_view>

namespace mh::reference::clients {

struct ServerAddress {
    std::string host;
    std::uint16_t port = 0;
};

// Throws ClientError(usage) with what is wrong.
ServerAddress parse_server_address(std::string_view text);

}  // namespace mh::reference::clients
