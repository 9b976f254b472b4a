#include "reference/config/relay_config.hpp"

#include <algorithm>
#include <limits>

#include "reference/config/accounts.hpp"
#include "reference/config/yaml_reader.hpp"

namespace mh::reference {

std::string NextHop::to_string() const {
    const bool v6 = host.find(':') != std::string::npos;
    return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::chrono::seconds RetrySchedule::delay_after(unsigned failed_attempts) const {
    std::chrono::seconds delay = first;
    for (unsigned i = 1; i < failed_attempts && delay < max_interval; ++i) {
        delay *= factor;
    }
    return std::min(delay, max_interval);
}

namespace config_detail {
namespace {

bool is_host_name(std::string_view text) {
    return !text.empty() && text.size() <= 253 && text.front() != '-' && text.front() != '.' &&
           std::all_of(text.begin(), text.end(), [](char c) {
               return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.';
           });
}

NextHop read_next_hop(const Reader& r, const YAML::Node& node, std::string_view what) {
    const std::string text = r.string(node, what);
    const auto colon = text.rfind(':');
    const bool bracketed = !text.empty() && text.front() == '[';
    if (colon == std::string::npos || colon == 0) {
        r.fail(node, std::string(what) + " '" + text + "' has no port (write HOST:PORT, e.g. " +
                         "127.0.0.1:25 or mx.remote.test:25)");
    }
    if (bracketed || std::isdigit(static_cast<unsigned char>(text.front()))) {
        std::optional<Endpoint> endpoint;
        try {
            endpoint = parse_endpoint(text);  // numeric: the listener grammar
        } catch (const ConfigError& e) {
            if (bracketed || text.find_first_not_of("0123456789.:") == std::string::npos) {
                r.fail(node, std::string(what) + ": " + e.what());
            }
        }
        if (endpoint && endpoint->port == 0) {
            r.fail(node, std::string(what) + " '" + text + "' needs a port from 1 to 65535");
        }
        if (endpoint) {
            return {endpoint->address, endpoint->port};
        }
    }
    const std::string host = text.substr(0, colon);
    unsigned port = 0;
    const std::string port_text = text.substr(colon + 1);
    auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (!is_host_name(host) || port_text.empty() || ec != std::errc{} ||
        ptr != port_text.data() + port_text.size() || port == 0 ||
        port > std::numeric_limits<std::uint16_t>::max()) {
        r.fail(node, std::string(what) + " '" + text +
                         "' is not HOST:PORT (a host name or IP address, a port from 1 to 65535)");
    }
    return {host, static_cast<std::uint16_t>(port)};
}

void read_routes(const Reader& r, const YAML::Node& node, RelayConfig& out) {
    if (!node.IsSequence()) {
        r.fail(node, "relay.routes must be a list of {domain: DOMAIN, next_hop: HOST:PORT}");
    }
    for (const auto& item : node) {
        r.expect_map(item, "a route", {"domain", "next_hop"});
        if (!item["domain"] || !item["next_hop"]) {
            r.fail(item,
                   "a route needs 'domain' and 'next_hop' (e.g. {domain: remote.test, "
                   "next_hop: 127.0.0.1:2526})");
        }
        Route route;
        route.domain = to_lower_ascii(r.string(item["domain"], "route domain"));
        const std::string_view bare =
            std::string_view(route.domain).substr(route.domain.starts_with('.') ? 1 : 0);
        if (!is_host_name(bare) || bare.find('.') == std::string_view::npos) {
            r.fail(item["domain"], "route domain '" + route.domain +
                                       "' is not a domain name (e.g. remote.test, or "
                                       ".remote.test for its subdomains too)");
        }
        const bool duplicate =
            std::any_of(out.routes.begin(), out.routes.end(),
                        [&](const Route& r2) { return r2.domain == route.domain; });
        if (duplicate) {
            r.fail(item["domain"], "route domain '" + route.domain + "' is listed twice");
        }
        route.next_hop = read_next_hop(r, item["next_hop"], "route next_hop");
        out.routes.push_back(std::move(route));
    }
}

void read_tls(const Reader& r, const YAML::Node& node, RelayTls& out) {
    r.expect_map(node, "relay.tls", {"policy", "verify", "ca"});
    if (node["policy"]) {
        const std::string policy = r.string(node["policy"], "relay.tls.policy");
        if (policy == "opportunistic") {
            out.policy = RelayTlsPolicy::opportunistic;
        } else if (policy == "required") {
            out.policy = RelayTlsPolicy::required;
        } else {
            r.fail(node["policy"], "relay.tls.policy must be 'opportunistic' or 'required'");
        }
    }
    if (node["verify"])
        out.verify = r.boolean(node["verify"], "relay.tls.verify");
    if (node["ca"])
        out.ca_file = r.string(node["ca"], "relay.tls.ca");
}

void read_retry(const Reader& r, const YAML::Node& node, RetrySchedule& out) {
    r.expect_map(node, "relay.retry", {"first", "factor", "max_interval", "max_age"});
    auto seconds = [&](const char* key, std::chrono::seconds& field, std::uint64_t min,
                       std::uint64_t max) {
        if (node[key]) {
            field = std::chrono::seconds(
                r.number(node[key], std::string("relay.retry.") + key + " (seconds)", min, max));
        }
    };
    constexpr std::uint64_t thirty_days = 30ULL * 86400;
    seconds("first", out.first, 1, 86400);
    seconds("max_interval", out.max_interval, 1, 7 * 86400);
    seconds("max_age", out.max_age, 1, thirty_days);
    if (node["factor"]) {
        out.factor = static_cast<unsigned>(r.number(node["factor"], "relay.retry.factor", 1, 10));
    }
    if (out.max_interval < out.first) {
        r.fail(node, "relay.retry.max_interval must not be shorter than relay.retry.first");
    }
}

void read_timeouts(const Reader& r, const YAML::Node& node, RelayTimeouts& out) {
    r.expect_map(node, "relay.timeouts", {"connect", "command", "data_end"});
    auto seconds = [&](const char* key, std::chrono::seconds& field) {
        if (node[key]) {
            field = std::chrono::seconds(
                r.number(node[key], std::string("relay.timeouts.") + key + " (seconds)", 1, 3600));
        }
    };
    seconds("connect", out.connect);
    seconds("command", out.command);
    seconds("data_end", out.data_end);
}

}  // namespace

void read_relay(const Reader& r, const YAML::Node& node, RelayConfig& out) {
    r.expect_map(
        node, "relay",
        {"routes", "smarthost", "tls", "retry", "timeouts", "concurrency", "scan_interval_ms"});
    if (node["routes"])
        read_routes(r, node["routes"], out);
    if (node["smarthost"])
        out.smarthost = read_next_hop(r, node["smarthost"], "relay.smarthost");
    if (node["tls"])
        read_tls(r, node["tls"], out.tls);
    if (node["retry"])
        read_retry(r, node["retry"], out.retry);
    if (node["timeouts"])
        read_timeouts(r, node["timeouts"], out.timeouts);
    if (node["concurrency"]) {
        out.concurrency =
            static_cast<unsigned>(r.number(node["concurrency"], "relay.concurrency", 1, 256));
    }
    if (node["scan_interval_ms"]) {
        out.scan_interval = std::chrono::milliseconds(
            r.number(node["scan_interval_ms"], "relay.scan_interval_ms", 10, 3600000));
    }
}

}  // namespace config_detail
}  // namespace mh::reference
