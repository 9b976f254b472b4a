#include "cli/endpoint_option.hpp"

namespace mh::cli {

namespace sc = harness::scenario;

sc::Endpoint parse_endpoint(const std::string& flag, const std::string& text) {
    const std::size_t colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0) {
        throw CLI::ValidationError(flag, "must be HOST:PORT, not \"" + text + "\"");
    }
    const std::string port_text = text.substr(colon + 1);
    unsigned long port = 0;
    try {
        port = std::stoul(port_text);
    } catch (const std::exception&) {
        port = 0;
    }
    if (port == 0 || port > 65535 ||
        port_text.find_first_not_of("0123456789") != std::string::npos) {
        throw CLI::ValidationError(flag, "port must be 1..65535, not \"" + port_text + "\"");
    }
    return sc::Endpoint{text.substr(0, colon), static_cast<std::uint16_t>(port), sc::TlsMode::none};
}

sc::TlsMode tls_mode(const std::string& flag, const std::string& text, sc::TlsMode fallback) {
    if (text.empty()) {
        return fallback;
    }
    if (auto mode = sc::parse_tls_mode(text)) {
        return *mode;
    }
    throw CLI::ValidationError(flag, "must be none, starttls or implicit, not \"" + text + "\"");
}

}  // namespace mh::cli
