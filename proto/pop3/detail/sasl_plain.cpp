#include "proto/pop3/detail/sasl_plain.hpp"

namespace mh::proto::pop3::detail {

std::optional<PlainCredentials> parse_sasl_plain(std::string_view message) {
    const auto first = message.find('\0');
    if (first == std::string_view::npos) {
        return std::nullopt;
    }
    const auto second = message.find('\0', first + 1);
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

std::string make_sasl_plain(std::string_view authcid, std::string_view password) {
    std::string message;
    message.reserve(authcid.size() + password.size() + 2);
    message += '\0';
    message += authcid;
    message += '\0';
    message += password;
    return message;
}

}  // namespace mh::proto::pop3::detail
