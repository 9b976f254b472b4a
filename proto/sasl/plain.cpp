#include "proto/sasl/plain.hpp"

namespace mh::proto::sasl {

std::optional<PlainCredentials> parse_plain(std::string_view message) {
    const std::size_t first = message.find('\0');
    if (first == std::string_view::npos) {
        return std::nullopt;
    }
    const std::size_t second = message.find('\0', first + 1);
    if (second == std::string_view::npos ||
        message.find('\0', second + 1) != std::string_view::npos) {
        return std::nullopt;
    }
    PlainCredentials credentials{std::string(message.substr(0, first)),
                                 std::string(message.substr(first + 1, second - first - 1)),
                                 std::string(message.substr(second + 1))};
    if (credentials.authcid.empty() || credentials.password.empty()) {
        return std::nullopt;
    }
    return credentials;
}

}  // namespace mh::proto::sasl
