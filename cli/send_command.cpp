// `mailharness send`: submit one message over SMTP (docs/clients.md).
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "reference/clients/client_error.hpp"
#include "reference/clients/send_client.hpp"
#include "reference/clients/server_address.hpp"

namespace mh::cli {
namespace {

namespace clients = reference::clients;

struct SendFlags {
    std::string server;
    clients::SmtpTls tls = clients::SmtpTls::starttls;
    std::string auth;  // user:password
    clients::SmtpAuthMechanism mechanism = clients::SmtpAuthMechanism::automatic;
    bool insecure = false;
    std::string ca_file;
    std::string from;
    std::vector<std::string> to;
    std::string subject;
    std::string body;
    std::string message_file;  // "-" for stdin
    std::string helo = "localhost";
    unsigned timeout_secs = 30;
    bool verbose = false;
};

std::string read_message(const std::string& file) {
    if (file == "-") {
        return {std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        throw clients::ClientError(clients::ExitCode::usage,
                                   "cannot read the message file " + file);
    }
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

clients::SendOptions build_options(const SendFlags& flags) {
    clients::SendOptions options;
    const auto address = clients::parse_server_address(flags.server);
    options.host = address.host;
    options.port = address.port;
    options.tls = flags.tls;
    options.tls_settings.verify = !flags.insecure;
    options.tls_settings.ca_file = flags.ca_file;
    if (!flags.auth.empty()) {
        const auto colon = flags.auth.find(':');
        if (colon == std::string::npos) {
            throw clients::ClientError(clients::ExitCode::usage, "--auth wants USER:PASSWORD");
        }
        options.auth = clients::SmtpCredentials{flags.auth.substr(0, colon),
                                                flags.auth.substr(colon + 1), flags.mechanism};
    }
    options.helo_name = flags.helo;
    options.from = flags.from;
    options.recipients = flags.to;
    options.message =
        flags.message_file.empty()
            ? clients::compose_message(flags.from, flags.to, flags.subject, flags.body)
            : read_message(flags.message_file);
    options.timeout = std::chrono::seconds(flags.timeout_secs);
    return options;
}

int run_send(const SendFlags& flags) {
    try {
        const auto result = clients::send_message(build_options(flags));
        if (flags.verbose) {
            for (const auto& line : result.transcript) {
                std::fprintf(stderr, "%s\n", line.c_str());
            }
        }
        std::printf("sent%s: %s\n", result.pipelined ? " (pipelined)" : "",
                    result.final_reply.c_str());
        return 0;
    } catch (const clients::ClientError& e) {
        std::fprintf(stderr, "mailharness send: %s\n", e.what());
        return static_cast<int>(e.code());
    }
}

}  // namespace

void add_send_command(CLI::App& app, CommandContext& ctx) {
    auto* send = app.add_subcommand("send", "Submit a message over SMTP (docs/clients.md)");
    auto flags = std::make_shared<SendFlags>();
    send->add_option("--server", flags->server, "HOST:PORT of the submission server")->required();
    send->add_option("--tls", flags->tls, "starttls (default), implicit or none")
        ->transform(CLI::CheckedTransformer(
            std::map<std::string, clients::SmtpTls>{{"starttls", clients::SmtpTls::starttls},
                                                    {"implicit", clients::SmtpTls::implicit},
                                                    {"none", clients::SmtpTls::none}},
            CLI::ignore_case));
    send->add_option("--auth", flags->auth, "USER:PASSWORD for SMTP AUTH")
        ->envname("MAILHARNESS_AUTH");
    send->add_option("--auth-mechanism", flags->mechanism,
                     "plain or login (default: PLAIN when offered, else LOGIN)")
        ->transform(CLI::CheckedTransformer(
            std::map<std::string, clients::SmtpAuthMechanism>{
                {"plain", clients::SmtpAuthMechanism::plain},
                {"login", clients::SmtpAuthMechanism::login}},
            CLI::ignore_case));
    send->add_flag("--insecure", flags->insecure, "do not verify the server's certificate");
    send->add_option("--ca", flags->ca_file, "trust anchors (PEM) to verify the server with")
        ->check(CLI::ExistingFile);
    send->add_option("--from", flags->from, "envelope sender (MAIL FROM)")->required();
    send->add_option("--to", flags->to, "envelope recipient (RCPT TO), repeatable")->required();
    send->add_option("--subject", flags->subject, "subject of the composed message");
    send->add_option("--body", flags->body, "text of the composed message");
    send->add_option("--message", flags->message_file,
                     "send this RFC 5322 file as it is ('-' reads stdin) instead of composing")
        ->excludes("--subject")
        ->excludes("--body");
    send->add_option("--helo", flags->helo, "name given in EHLO");
    send->add_option("--timeout", flags->timeout_secs, "seconds allowed for each step")
        ->check(CLI::Range(1u, 3600u));
    send->add_flag("-v,--verbose", flags->verbose, "print the SMTP conversation on stderr");
    send->callback([flags, &ctx] { ctx.exit_code = run_send(*flags); });
}

}  // namespace mh::cli
