#include "reference/clients/server_address.hpp"

#include <charconv>

#include "reference/clients/client_error.hpp"

namespace mh::reference::clients {

ServerAddress parse_server_address(std::string_view text) {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) {
        throw ClientError(ExitCode::usage, "--server wants HOST:PORT, e.g. 127.0.0.1:2587, not \"" +
                                               std::string(text) + "\"");
    }
    std::string_view host = text.substr(0, colon);
    if (host.starts_with('[') && host.ends_with(']')) {
        host = host.substr(1, host.size() - 2);
    }
    const std::string_view port_text = text.substr(colon + 1);
    unsigned port = 0;
    const auto [end, ec] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc{} || end != port_text.data() + port_text.size() || port == 0 ||
        port > 65535) {
        throw ClientError(ExitCode::usage,
                          "--server port must be 1..65535, not \"" + std::string(port_text) + "\"");
    }
    return {std::string(host), static_cast<std::uint16_t>(port)};
}

}  // namespace mh::reference::clients
