#include "harness/scenario/target.hpp"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>

#include "harness/scenario/detail/yaml_reader.hpp"

namespace mh::harness::scenario {

const char* to_string(TlsMode mode) {
    switch (mode) {
        case TlsMode::none:
            return "none";
        case TlsMode::starttls:
            return "starttls";
        case TlsMode::implicit:
            return "implicit";
    }
    return "?";
}

std::optional<TlsMode> parse_tls_mode(std::string_view text) {
    for (TlsMode mode : {TlsMode::none, TlsMode::starttls, TlsMode::implicit}) {
        if (text == to_string(mode)) {
            return mode;
        }
    }
    return std::nullopt;
}

std::string Endpoint::describe() const {
    return host + ":" + std::to_string(port) + " (" + to_string(tls) + ")";
}

const Account* TargetProfile::find_account(std::string_view user_or_address) const {
    for (const Account& account : accounts) {
        if (account.user == user_or_address || account.address == user_or_address) {
            return &account;
        }
    }
    return nullptr;
}

TargetProfile embedded_default_profile(const std::string& host, std::uint16_t smtp_port,
                                       std::uint16_t pop3_port) {
    TargetProfile profile;
    profile.name = "embedded-reference";
    profile.smtp = Endpoint{host, smtp_port, TlsMode::starttls};
    if (pop3_port != 0) {
        profile.pop3 = Endpoint{host, pop3_port, TlsMode::starttls};
    }
    profile.domain = "example.test";
    profile.accounts = {{"alice", "alice-pw", "alice@example.test"},
                        {"bob", "bob-pw", "bob@example.test"}};
    profile.foreign_address = "someone@elsewhere.test";
    profile.tls_verify = false;
    return profile;
}

namespace {

using detail::YamlReader;

std::optional<Endpoint> parse_endpoint(YamlReader& reader, const YAML::Node& node,
                                       std::string_view what) {
    const std::string example = "{host: 127.0.0.1, port: 2525, tls: starttls}";
    if (!reader.expect_map(node, what, example)) {
        return std::nullopt;
    }
    reader.check_keys(node, {"host", "port", "tls"}, what);
    Endpoint endpoint;
    bool ok = reader.require_key(node, "host", what, "host: 127.0.0.1") &&
              reader.require_key(node, "port", what, "port: 2525");
    if (!ok) {
        return std::nullopt;
    }
    auto host = reader.non_empty_string(node["host"], "`host`");
    const std::size_t port = reader.count(node["port"], "`port`").value_or(0);
    if (port == 0 || port > 65535) {
        reader.error(node["port"], "`port` must be between 1 and 65535");
    }
    if (node["tls"]) {
        auto text = reader.string(node["tls"], "`tls`");
        auto mode = text ? parse_tls_mode(*text) : std::nullopt;
        if (!mode) {
            if (text) {
                reader.error(node["tls"],
                             "`tls` must be none, starttls or implicit, not \"" + *text + "\"");
            }
            return std::nullopt;
        }
        endpoint.tls = *mode;
    }
    if (!host || port == 0 || port > 65535) {
        return std::nullopt;
    }
    endpoint.host = *host;
    endpoint.port = static_cast<std::uint16_t>(port);
    return endpoint;
}

void parse_accounts(YamlReader& reader, const YAML::Node& node, TargetProfile& profile) {
    const std::string example =
        "accounts: [{user: alice, password: alice-pass, address: alice@example.test}]";
    if (!reader.expect_sequence(node, "`accounts`", example)) {
        return;
    }
    for (const auto& item : node) {
        if (!reader.expect_map(
                item, "an account",
                "{user: alice, password: alice-pass, address: alice@example.test}")) {
            continue;
        }
        reader.check_keys(item, {"user", "password", "address"}, "an account");
        if (!reader.require_key(item, "user", "an account", "user: alice") ||
            !reader.require_key(item, "password", "an account", "password: alice-pass")) {
            continue;
        }
        Account account;
        account.user = reader.non_empty_string(item["user"], "`user`").value_or("");
        account.password = reader.string(item["password"], "`password`").value_or("");
        if (item["address"]) {
            account.address = reader.non_empty_string(item["address"], "`address`").value_or("");
        } else if (!profile.domain.empty()) {
            account.address = account.user + "@" + profile.domain;
        } else {
            reader.error(item, "an account needs `address` when the profile has no `domain`");
        }
        if (profile.find_account(account.user)) {
            reader.error(item["user"], "account `" + account.user + "` is listed twice");
        }
        profile.accounts.push_back(std::move(account));
    }
}

void parse_waivers(YamlReader& reader, const YAML::Node& node, TargetProfile& profile) {
    const std::string example =
        "waivers: [{case: \"smtp-vrfy/*\", reason: \"VRFY disabled by policy\"}]";
    if (!reader.expect_sequence(node, "`waivers`", example)) {
        return;
    }
    for (const auto& item : node) {
        if (!reader.expect_map(item, "a waiver", "{case: \"smtp-vrfy/*\", reason: \"...\"}")) {
            continue;
        }
        reader.check_keys(item, {"case", "reason"}, "a waiver");
        if (!reader.require_key(item, "case", "a waiver", "case: \"suite/case-id\"") ||
            !reader.require_key(item, "reason", "a waiver",
                                "reason: \"why this deviation is accepted\"")) {
            continue;
        }
        auto glob = reader.non_empty_string(item["case"], "`case`");
        auto reason = reader.non_empty_string(item["reason"], "`reason`");
        if (glob && glob->find('/') == std::string::npos) {
            reader.error(item["case"],
                         "`case` is matched against full case ids (suite/case); write \"" + *glob +
                             "/*\" or \"*/" + *glob + "\"");
        } else if (glob && reason) {
            profile.waivers.push_back(Waiver{*glob, *reason});
        }
    }
}

}  // namespace

TargetLoad parse_target(std::string_view yaml, const std::string& file_name) {
    YamlReader reader(file_name);
    YAML::Node root;
    try {
        root = YAML::Load(std::string(yaml));
    } catch (const YAML::ParserException& e) {
        reader.error(reader.position(e.mark), "this is not valid YAML: " + e.msg);
        return TargetLoad{std::nullopt, reader.take_errors()};
    }
    if (!reader.expect_map(root, "a target profile",
                           "target: NAME, smtp: {host: ..., port: ...}")) {
        return TargetLoad{std::nullopt, reader.take_errors()};
    }
    reader.check_keys(root,
                      {"target", "smtp", "pop3", "domain", "accounts", "foreign_address", "tls",
                       "seed", "limits", "waivers"},
                      "a target profile");
    TargetProfile profile;
    if (reader.require_key(root, "target", "a target profile", "target: postfix-local")) {
        profile.name = reader.non_empty_string(root["target"], "`target`").value_or("");
    }
    if (root["smtp"]) {
        profile.smtp = parse_endpoint(reader, root["smtp"], "`smtp`");
    }
    if (root["pop3"]) {
        profile.pop3 = parse_endpoint(reader, root["pop3"], "`pop3`");
    }
    if (!root["smtp"] && !root["pop3"]) {
        reader.error(root,
                     "a target profile needs `smtp` or `pop3` (or both); write smtp: {host: "
                     "127.0.0.1, port: 25}");
    }
    if (root["domain"]) {
        profile.domain = reader.non_empty_string(root["domain"], "`domain`").value_or("");
    }
    if (root["accounts"]) {
        parse_accounts(reader, root["accounts"], profile);
    }
    if (root["foreign_address"]) {
        profile.foreign_address =
            reader.non_empty_string(root["foreign_address"], "`foreign_address`").value_or("");
    }
    if (const YAML::Node tls = root["tls"]) {
        if (reader.expect_map(tls, "`tls`", "tls: {verify: false} or tls: {ca: /path/ca.pem}")) {
            reader.check_keys(tls, {"verify", "ca"}, "`tls`");
            if (tls["verify"]) {
                profile.tls_verify = reader.boolean(tls["verify"], "`verify`").value_or(false);
            }
            if (tls["ca"]) {
                profile.tls_ca = reader.non_empty_string(tls["ca"], "`ca`").value_or("");
                profile.tls_verify = true;
                std::error_code ec;
                if (!profile.tls_ca.empty() &&
                    !std::filesystem::is_regular_file(profile.tls_ca, ec)) {
                    reader.error(tls["ca"],
                                 "CA file " + profile.tls_ca.string() + " does not exist");
                }
            }
        }
    }
    if (const YAML::Node seed = root["seed"]) {
        if (reader.expect_map(seed, "`seed`",
                              "seed: {via: smtp} or seed: {maildir: /path/%u/Maildir}")) {
            reader.check_keys(seed, {"via", "maildir"}, "`seed`");
            if (seed["via"] && seed["maildir"]) {
                reader.error(seed, "`seed` takes via or maildir, not both");
            } else if (seed["via"]) {
                auto via = reader.string(seed["via"], "`via`");
                if (via && *via != "smtp") {
                    reader.error(seed["via"],
                                 "`via` must be smtp; for a maildir write seed: {maildir: "
                                 "/path/%u/Maildir}");
                }
            } else if (seed["maildir"]) {
                profile.maildir_pattern =
                    reader.non_empty_string(seed["maildir"], "`maildir`").value_or("");
                if (!profile.maildir_pattern.empty() &&
                    profile.maildir_pattern.find("%u") == std::string::npos) {
                    reader.error(seed["maildir"],
                                 "`maildir` must contain %u (the account's user name), e.g. "
                                 "/srv/mail/%u/Maildir");
                }
            }
        }
    }
    if (const YAML::Node limits = root["limits"]) {
        if (reader.expect_map(limits, "`limits`", "limits: {max_message_size: 10485760}")) {
            reader.check_keys(limits, {"max_message_size"}, "`limits`");
            if (limits["max_message_size"]) {
                profile.max_message_size =
                    reader.count(limits["max_message_size"], "`max_message_size`");
            }
        }
    }
    if (root["waivers"]) {
        parse_waivers(reader, root["waivers"], profile);
    }
    if (!reader.errors().empty()) {
        return TargetLoad{std::nullopt, reader.take_errors()};
    }
    return TargetLoad{std::move(profile), {}};
}

TargetLoad load_target(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        return TargetLoad{std::nullopt,
                          {LoadError{Position{file.string(), 0, 0}, "cannot read the file"}}};
    }
    std::ostringstream text;
    text << in.rdbuf();
    return parse_target(text.str(), file.string());
}

}  // namespace mh::harness::scenario
