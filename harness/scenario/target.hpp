#pragma once
// A target profile: where the server under test listens and what it is configured with
// (docs/scenario-format.md "A target profile").

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "harness/scenario/load_error.hpp"

namespace mh::harness::scenario {

enum class TlsMode { none, starttls, implicit };
const char* to_string(TlsMode mode);  // "none", "starttls", "implicit"
std::optional<TlsMode> parse_tls_mode(std::string_view text);

struct Endpoint {
    std::string host;
    std::uint16_t port = 0;
    TlsMode tls = TlsMode::none;

    std::string describe() const;  // "127.0.0.1:2525 (starttls)"
};

struct Account {
    std::string user;
    std::string password;
    std::string address;
};

struct Waiver {
    std::string case_glob;  // matched against the full case id ("smtp-vrfy/*")
    std::string reason;
};

struct TargetProfile {
    std::string name;
    std::optional<Endpoint> smtp;
    std::optional<Endpoint> pop3;
    std::string domain;
    std::vector<Account> accounts;
    std::string foreign_address;
    bool tls_verify = false;
    std::filesystem::path tls_ca;  // verify against this CA file when set
    std::string maildir_pattern;   // seed: {maildir: /path/%u/Maildir}; empty: via SMTP
    std::optional<std::size_t> max_message_size;
    std::vector<Waiver> waivers;

    const Account* find_account(std::string_view user_or_address) const;
};

struct TargetLoad {
    std::optional<TargetProfile> profile;  // set only when the file has no error
    std::vector<LoadError> errors;
};
// Schema-checked like suites: every error with its position and what to write instead.
TargetLoad parse_target(std::string_view yaml, const std::string& file_name);
TargetLoad load_target(const std::filesystem::path& file);

// The embedded default target's fixed profile (docs/scenario-format.md): domain example.test,
// alice/alice-pw and bob/bob-pw, foreign address someone@elsewhere.test, STARTTLS, no verify.
TargetProfile embedded_default_profile(const std::string& host, std::uint16_t smtp_port,
                                       std::uint16_t pop3_port);

}  // namespace mh::harness::scenario
