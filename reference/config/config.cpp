#include "reference/config/config.hpp"

#include <yaml-cpp/yaml.h>

#include <arpa/inet.h>

#include <charconv>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <type_traits>

#include "reference/config/accounts.hpp"
#include "reference/config/yaml_reader.hpp"
#include "reference/store/account_name.hpp"

namespace mh::reference {
namespace {

using config_detail::Reader;

void read_listeners(const Reader& r, const YAML::Node& node, Listeners& out) {
    r.expect_map(node, "listeners", {"smtp", "submission", "smtps", "pop3", "pop3s"});
    if (node["smtp"])
        out.smtp = r.endpoints(node["smtp"], "listeners.smtp");
    if (node["submission"])
        out.submission = r.endpoints(node["submission"], "listeners.submission");
    if (node["smtps"])
        out.smtps = r.endpoints(node["smtps"], "listeners.smtps");
    if (node["pop3"])
        out.pop3 = r.endpoints(node["pop3"], "listeners.pop3");
    if (node["pop3s"])
        out.pop3s = r.endpoints(node["pop3s"], "listeners.pop3s");
}

void read_limits(const Reader& r, const YAML::Node& node, proto::smtp::Limits& out) {
    r.expect_map(node, "limits",
                 {"command_line", "text_line", "max_message_size", "max_recipients",
                  "max_messages_per_session", "soft_error_limit", "hard_error_limit", "connections",
                  "connections_per_address", "auth_failure_delay_ms", "auth_failure_delay_max_ms",
                  "auth_failure_forget_after", "error_delay_ms"});
    constexpr std::uint64_t gigabyte = 1ULL << 30;
    auto size = [&](const char* key, std::size_t& field, std::uint64_t min, std::uint64_t max) {
        if (node[key]) {
            field = static_cast<std::size_t>(
                r.number(node[key], std::string("limits.") + key, min, max));
        }
    };
    auto count = [&](const char* key, unsigned& field) {
        if (node[key]) {
            field =
                static_cast<unsigned>(r.number(node[key], std::string("limits.") + key, 1, 1000));
        }
    };
    // RFC 5321 4.5.3.1 minimums: 512 for command lines, 1000 for text lines, 100 recipients.
    size("command_line", out.command_line, 512, 65536);
    size("text_line", out.text_line, 1000, 1 << 20);
    size("max_message_size", out.max_message_size, 1, gigabyte);
    size("max_recipients", out.max_recipients, 100, 100000);
    size("max_messages_per_session", out.max_messages_per_session, 1, 1000000);
    count("soft_error_limit", out.soft_error_limit);
    count("hard_error_limit", out.hard_error_limit);
}

// The server's own keys of `limits:` (read_limits checks the key names).
void read_server_limits(const Reader& r, const YAML::Node& node, ServerLimits& out) {
    auto number = [&](const char* key, std::uint64_t min, std::uint64_t max, auto& field) {
        if (node[key]) {
            field = static_cast<std::remove_reference_t<decltype(field)>>(
                r.number(node[key], std::string("limits.") + key, min, max));
        }
    };
    number("connections", 1, 1000000, out.connections);
    number("connections_per_address", 1, 1000000, out.connections_per_address);
    auto millis = [&](const char* key, std::chrono::milliseconds& field) {
        std::uint64_t value = static_cast<std::uint64_t>(field.count());
        number(key, 0, 600000, value);
        field = std::chrono::milliseconds(value);
    };
    millis("auth_failure_delay_ms", out.auth_failure_delay);
    millis("auth_failure_delay_max_ms", out.auth_failure_delay_max);
    millis("error_delay_ms", out.error_delay);
    std::uint64_t forget = static_cast<std::uint64_t>(out.auth_failure_forget_after.count());
    number("auth_failure_forget_after", 1, 86400, forget);
    out.auth_failure_forget_after = std::chrono::seconds(forget);
}

void read_timeouts(const Reader& r, const YAML::Node& node, Timeouts& out) {
    r.expect_map(node, "timeouts",
                 {"smtp_idle", "pop3_idle", "smtp_command", "pop3_command", "smtp_data", "session",
                  "tls_handshake", "shutdown_grace"});
    auto seconds = [&](const char* key, std::chrono::seconds& field, std::uint64_t min) {
        if (node[key]) {
            field = std::chrono::seconds(
                r.number(node[key], std::string("timeouts.") + key + " (seconds)", min, 86400));
        }
    };
    seconds("smtp_idle", out.smtp_idle, 1);
    seconds("pop3_idle", out.pop3_idle, 1);
    seconds("smtp_command", out.smtp_command, 1);
    seconds("pop3_command", out.pop3_command, 1);
    seconds("smtp_data", out.smtp_data, 1);
    seconds("session", out.session, 1);
    seconds("tls_handshake", out.tls_handshake, 1);
    seconds("shutdown_grace", out.shutdown_grace, 0);
}

void read_smtp(const Reader& r, const YAML::Node& node, Config& out) {
    r.expect_map(node, "smtp", {"auth_requires_tls", "vrfy", "expn", "bare_line_ends"});
    if (node["auth_requires_tls"]) {
        out.auth_requires_tls = r.boolean(node["auth_requires_tls"], "smtp.auth_requires_tls");
    }
    if (node["vrfy"])
        out.vrfy_enabled = r.boolean(node["vrfy"], "smtp.vrfy");
    if (node["expn"])
        out.expn_enabled = r.boolean(node["expn"], "smtp.expn");
    if (node["bare_line_ends"]) {
        const std::string policy = r.string(node["bare_line_ends"], "smtp.bare_line_ends");
        if (policy == "reject") {
            out.bare_line_ends = proto::smtp::BareLineEndPolicy::reject;
        } else if (policy == "accept") {
            out.bare_line_ends = proto::smtp::BareLineEndPolicy::accept;
        } else {
            r.fail(node["bare_line_ends"], "smtp.bare_line_ends must be 'reject' or 'accept'");
        }
    }
}

Account read_account(const Reader& r, const YAML::Node& node, const Config& config) {
    r.expect_map(node, "an account",
                 {"name", "address", "addresses", "password", "password_hash", "apop_secret"});
    Account account;
    if (!node["name"]) {
        r.fail(node, "an account needs a 'name'");
    }
    account.name = r.string(node["name"], "name");
    if (std::string problem = account_name_problem(account.name); !problem.empty()) {
        r.fail(node["name"], problem);
    }
    for (const char* key : {"address", "addresses"}) {
        if (!node[key]) {
            continue;
        }
        for (const std::string& address : r.strings(node[key], key)) {
            const auto at = address.rfind('@');
            if (at == std::string::npos || at == 0 || at + 1 == address.size()) {
                r.fail(node[key], "'" + address + "' is not local-part@domain");
            }
            std::string lower = to_lower_ascii(address);
            if (std::find(config.domains.begin(), config.domains.end(), lower.substr(at + 1)) ==
                config.domains.end()) {
                r.fail(node[key], "'" + address + "' is not in a served domain (see 'domains')");
            }
            account.addresses.push_back(std::move(lower));
        }
    }
    const bool has_plain = static_cast<bool>(node["password"]);
    const bool has_hash = static_cast<bool>(node["password_hash"]);
    if (has_plain == has_hash) {
        r.fail(node, "account '" + account.name +
                         "' needs exactly one of 'password_hash' or 'password' (test profiles)");
    }
    if (has_hash) {
        std::string why;
        auto parsed = parse_password_hash(r.string(node["password_hash"], "password_hash"), why);
        if (!parsed) {
            r.fail(node["password_hash"], "bad password_hash: " + why);
        }
        account.password = std::move(*parsed);
    } else {
        std::string why;
        account.password = *parse_password_hash(
            hash_password(r.string(node["password"], "password"), test_profile_iterations), why);
    }
    if (node["apop_secret"]) {
        account.apop_secret = r.string(node["apop_secret"], "apop_secret");
    }
    return account;
}

Config read_config(const Reader& r, const YAML::Node& root) {
    Config config;
    if (root.IsNull()) {
        return config;
    }
    r.expect_map(root, "the configuration",
                 {"hostname", "domains", "accounts", "listeners", "limits", "timeouts", "smtp",
                  "tls", "maildir", "durable", "threads", "quiet", "user", "relay"});
    if (root["hostname"])
        config.hostname = r.string(root["hostname"], "hostname");
    if (root["domains"]) {
        for (const std::string& domain : r.strings(root["domains"], "domains")) {
            config.domains.push_back(to_lower_ascii(domain));
        }
    }
    if (root["listeners"])
        read_listeners(r, root["listeners"], config.listeners);
    if (root["limits"]) {
        read_limits(r, root["limits"], config.limits);
        read_server_limits(r, root["limits"], config.server_limits);
    }
    if (root["timeouts"])
        read_timeouts(r, root["timeouts"], config.timeouts);
    if (root["smtp"])
        read_smtp(r, root["smtp"], config);
    if (root["tls"]) {
        const YAML::Node tls = root["tls"];
        r.expect_map(tls, "tls", {"cert", "key"});
        if (tls["cert"])
            config.tls_cert = r.string(tls["cert"], "tls.cert");
        if (tls["key"])
            config.tls_key = r.string(tls["key"], "tls.key");
        if (config.tls_cert.empty() != config.tls_key.empty()) {
            r.fail(tls, "tls needs both 'cert' and 'key' (or neither, for a generated pair)");
        }
    }
    if (root["maildir"])
        config.maildir = r.string(root["maildir"], "maildir");
    if (root["durable"])
        config.durable = r.boolean(root["durable"], "durable");
    if (root["threads"])
        config.threads = static_cast<unsigned>(r.number(root["threads"], "threads", 0, 256));
    if (root["quiet"])
        config.quiet = r.boolean(root["quiet"], "quiet");
    if (root["user"])
        config.user = r.string(root["user"], "user");
    if (root["relay"])
        config_detail::read_relay(r, root["relay"], config.relay);
    if (root["accounts"]) {
        const YAML::Node accounts = root["accounts"];
        if (!accounts.IsSequence()) {
            r.fail(accounts, "accounts must be a list");
        }
        std::set<std::string> names;
        std::set<std::string> addresses;
        for (const auto& node : accounts) {
            Account account = read_account(r, node, config);
            if (!names.insert(account.name).second) {
                r.fail(node, "account '" + account.name + "' is defined twice");
            }
            for (const auto& address : account.addresses) {
                if (!addresses.insert(address).second) {
                    r.fail(node, "address '" + address + "' belongs to two accounts");
                }
            }
            config.accounts.push_back(std::move(account));
        }
    }
    return config;
}

}  // namespace

std::string Endpoint::to_string() const {
    const bool v6 = address.find(':') != std::string::npos;
    return (v6 ? "[" + address + "]" : address) + ":" + std::to_string(port);
}

Endpoint parse_endpoint(std::string_view text) {
    auto bad = [&](const char* why) {
        return ConfigError("bad listener address '" + std::string(text) + "': " + why +
                           " (expected IPv4:PORT or [IPv6]:PORT)");
    };
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0) {
        throw bad("no port");
    }
    std::string_view host = text.substr(0, colon);
    const std::string_view port_text = text.substr(colon + 1);
    const bool bracketed = host.front() == '[';
    if (bracketed) {
        if (host.size() < 3 || host.back() != ']') {
            throw bad("unbalanced brackets");
        }
        host = host.substr(1, host.size() - 2);
    }
    unsigned char buffer[16];
    const std::string host_string(host);
    const int family = bracketed ? AF_INET6 : AF_INET;
    if (inet_pton(family, host_string.c_str(), buffer) != 1) {
        throw bad(bracketed ? "not a numeric IPv6 address" : "not a numeric IPv4 address");
    }
    unsigned port = 0;
    auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (port_text.empty() || ec != std::errc{} || ptr != port_text.data() + port_text.size() ||
        port > std::numeric_limits<std::uint16_t>::max()) {
        throw bad("port must be 0 to 65535");
    }
    return Endpoint{host_string, static_cast<std::uint16_t>(port)};
}

bool Listeners::empty() const {
    return smtp.empty() && submission.empty() && smtps.empty() && pop3.empty() && pop3s.empty();
}

Account embedded_profile_account(const std::string& name) {
    Account account;
    account.name = name;
    account.addresses = {name + "@example.test"};
    const std::string password = name + "-pw";
    std::string why;
    account.password = *parse_password_hash(hash_password(password, test_profile_iterations), why);
    account.apop_secret = password;
    return account;
}

Config embedded_profile() {
    Config config;
    config.hostname = "mx.example.test";
    config.domains = {"example.test"};
    // postmaster has a mailbox of its own: the SMTP suites write to postmaster, and in alice's
    // mailbox that mail would change the message numbers a POP3 case is counting.
    for (const char* name : {"alice", "bob", "postmaster"}) {
        config.accounts.push_back(embedded_profile_account(name));
    }
    // The profile's passwords are public and the suites fail logins and send junk on purpose:
    // slowing those replies would only slow the suites.
    config.server_limits.auth_failure_delay = std::chrono::milliseconds(0);
    config.server_limits.error_delay = std::chrono::milliseconds(0);
    return config;
}

Listeners default_listeners() {
    Listeners l;
    l.smtp = {{"127.0.0.1", 2525}};
    l.submission = {{"127.0.0.1", 2587}};
    l.smtps = {{"127.0.0.1", 2465}};
    l.pop3 = {{"127.0.0.1", 2110}};
    l.pop3s = {{"127.0.0.1", 2995}};
    return l;
}

Config parse_config(std::string_view yaml, const std::string& name) {
    Reader reader(name);
    YAML::Node root;
    try {
        root = YAML::Load(std::string(yaml));
    } catch (const YAML::ParserException& e) {
        reader.fail(e.mark, e.msg);
    }
    try {
        return read_config(reader, root);
    } catch (const YAML::Exception& e) {
        reader.fail(e.mark, e.msg);
    }
}

Config load_config(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        throw ConfigError(file.string() + ": cannot open the configuration file");
    }
    std::ostringstream text;
    text << in.rdbuf();
    return parse_config(text.str(), file.string());
}

}  // namespace mh::reference
