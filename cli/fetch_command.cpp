// `mailharness fetch`: download POP3 mail into a local Maildir (docs/clients.md).
#include <cstdio>
#include <map>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "reference/clients/client_error.hpp"
#include "reference/clients/fetch_client.hpp"
#include "reference/clients/server_address.hpp"

namespace mh::cli {
namespace {

namespace clients = reference::clients;

struct FetchFlags {
    std::string server;
    clients::FetchOptions options;
    bool insecure = false;
    unsigned timeout_secs = 30;
    std::size_t max_size_mib = 256;
};

int run_fetch(FetchFlags flags) {
    try {
        auto& options = flags.options;
        const auto address = clients::parse_server_address(flags.server);
        options.host = address.host;
        options.port = address.port;
        options.tls_settings.verify = !flags.insecure;
        options.timeout = std::chrono::seconds(flags.timeout_secs);
        options.max_message = flags.max_size_mib << 20;
        const auto result = clients::fetch_messages(options);
        std::printf("fetched %zu message(s) into %s: %zu on the server", result.downloaded,
                    options.maildir.c_str(), result.on_server);
        if (options.delete_after) {
            std::printf(", %zu deleted there\n", result.deleted);
        } else {
            std::printf(", %zu fetched before and kept\n", result.skipped);
        }
        return 0;
    } catch (const clients::ClientError& e) {
        std::fprintf(stderr, "mailharness fetch: %s\n", e.what());
        return static_cast<int>(e.code());
    }
}

}  // namespace

void add_fetch_command(CLI::App& app, CommandContext& ctx) {
    auto* fetch =
        app.add_subcommand("fetch", "Download POP3 mail into a Maildir (docs/clients.md)");
    auto flags = std::make_shared<FetchFlags>();
    auto& options = flags->options;
    fetch->add_option("--server", flags->server, "HOST:PORT of the POP3 server")->required();
    fetch->add_option("--tls", options.tls, "stls (default), implicit or none")
        ->transform(CLI::CheckedTransformer(
            std::map<std::string, clients::Pop3Tls>{{"stls", clients::Pop3Tls::stls},
                                                    {"implicit", clients::Pop3Tls::implicit},
                                                    {"none", clients::Pop3Tls::none}},
            CLI::ignore_case));
    fetch->add_option("--user", options.user, "account name")->required();
    fetch->add_option("--password", options.password, "password (or MAILHARNESS_PASSWORD)")
        ->envname("MAILHARNESS_PASSWORD")
        ->required();
    fetch->add_option("--auth", options.login, "user (USER/PASS, default), apop or plain")
        ->transform(CLI::CheckedTransformer(
            std::map<std::string, clients::Pop3Login>{{"user", clients::Pop3Login::user},
                                                      {"apop", clients::Pop3Login::apop},
                                                      {"plain", clients::Pop3Login::plain}},
            CLI::ignore_case));
    fetch->add_flag("--delete", options.delete_after,
                    "delete each message on the server once it is safely stored (default: keep "
                    "it and fetch only new ones next time)");
    fetch->add_option("--maildir", options.maildir, "local Maildir (created when missing)")
        ->required();
    fetch->add_flag("--insecure", flags->insecure, "do not verify the server's certificate");
    fetch->add_option("--ca", options.tls_settings.ca_file, "trust anchors (PEM)")
        ->check(CLI::ExistingFile);
    fetch->add_option("--timeout", flags->timeout_secs, "seconds allowed for each step")
        ->check(CLI::Range(1u, 3600u));
    fetch->add_option("--max-size", flags->max_size_mib, "largest message accepted, in MiB")
        ->check(CLI::Range(std::size_t{1}, std::size_t{4096}));
    fetch->callback([flags, &ctx] { ctx.exit_code = run_fetch(*flags); });
}

}  // namespace mh::cli
