#include "cli/target_option.hpp"

#include <cstdio>
#include <exception>

#include "cli/suite_options.hpp"

namespace mh::cli {

namespace {

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

// `text` empty: `fallback`.
sc::TlsMode tls_mode(const std::string& flag, const std::string& text, sc::TlsMode fallback) {
    if (text.empty()) {
        return fallback;
    }
    if (auto mode = sc::parse_tls_mode(text)) {
        return *mode;
    }
    throw CLI::ValidationError(flag, "must be none, starttls or implicit, not \"" + text + "\"");
}

// --smtp / --pop3 replace the profile's endpoint; their TLS flags apply to whichever is used.
void apply_endpoint(std::optional<sc::Endpoint>& endpoint, const std::string& flag,
                    const std::string& address, const std::string& tls, sc::TlsMode both) {
    if (!address.empty()) {
        endpoint = parse_endpoint(flag, address);
        endpoint->tls = tls_mode(flag + "-tls", tls, both);
    } else if (endpoint && !tls.empty()) {
        endpoint->tls = tls_mode(flag + "-tls", tls, both);
    }
}

}  // namespace

void TargetFlags::add_to(CLI::App& command, bool with_tls) {
    command.add_option("--target", file, "Target profile (YAML); default: the embedded reference");
    command.add_option("--smtp", smtp, "SMTP endpoint HOST:PORT (overrides the profile's)");
    command.add_option("--pop3", pop3, "POP3 endpoint HOST:PORT (overrides the profile's)");
    if (with_tls) {
        command.add_option("--tls", tls, "TLS mode of --smtp and --pop3: none, starttls, implicit");
        command.add_option("--smtp-tls", smtp_tls, "TLS mode of the SMTP endpoint");
        command.add_option("--pop3-tls", pop3_tls, "TLS mode of the POP3 endpoint");
    }
}

ResolvedTarget resolve_target(const TargetFlags& flags, std::string_view purpose,
                              reference::EmbeddedOptions options) {
    ResolvedTarget target;
    if (!flags.file.empty()) {
        auto load = sc::load_target(flags.file);
        if (!load.profile) {
            print_load_errors(stderr, load.errors);
            target.exit_code = 2;
            return target;
        }
        target.profile = std::move(*load.profile);
    } else if (flags.smtp.empty() && flags.pop3.empty()) {
        try {
            target.embedded = std::make_unique<EmbeddedTarget>(purpose, options);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "mailharness: cannot start the embedded reference server: %s\n",
                         e.what());
            target.exit_code = 3;
            return target;
        }
        target.profile = target.embedded->profile();
    } else {
        target.profile = sc::embedded_default_profile("127.0.0.1", 0, 0);  // the documented names
        target.profile.name = "command-line";
        target.profile.smtp.reset();
        target.profile.pop3.reset();
    }
    const sc::TlsMode both = tls_mode("--tls", flags.tls, sc::TlsMode::none);
    apply_endpoint(target.profile.smtp, "--smtp", flags.smtp, flags.smtp_tls, both);
    apply_endpoint(target.profile.pop3, "--pop3", flags.pop3, flags.pop3_tls, both);
    return target;
}

}  // namespace mh::cli
