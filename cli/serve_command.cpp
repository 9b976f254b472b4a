// `mailharness serve`: the reference SMTP/POP3 server in the foreground until SIGINT/SIGTERM.
#include <unistd.h>

#include <csignal>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "reference/config/config.hpp"
#include "reference/config/password.hpp"
#include "reference/server/privileges.hpp"
#include "reference/server/server.hpp"

namespace mh::cli {
namespace {

struct ServeOptions {
    std::string config_file;
    std::vector<std::string> smtp, submission, smtps, pop3, pop3s;
    std::string maildir;
    std::string hostname;
    std::string user;
    std::string faults_file;
    std::uint64_t seed = 0;
    bool seed_given = false;
    bool quiet = false;
    bool discard = false;
    bool hash_password = false;
};

std::vector<reference::Endpoint> endpoints(const std::vector<std::string>& texts) {
    std::vector<reference::Endpoint> out;
    for (const auto& text : texts) {
        out.push_back(reference::parse_endpoint(text));
    }
    return out;
}

reference::Config build_config(const ServeOptions& options) {
    reference::Config config = options.config_file.empty()
                                   ? reference::embedded_profile()
                                   : reference::load_config(options.config_file);
    reference::Listeners flags;
    flags.smtp = endpoints(options.smtp);
    flags.submission = endpoints(options.submission);
    flags.smtps = endpoints(options.smtps);
    flags.pop3 = endpoints(options.pop3);
    flags.pop3s = endpoints(options.pop3s);
    if (!flags.empty()) {
        config.listeners = std::move(flags);  // flags replace the file's listeners as a whole
    } else if (config.listeners.empty()) {
        config.listeners = reference::default_listeners();
    }
    if (!options.maildir.empty())
        config.maildir = options.maildir;
    if (!options.hostname.empty())
        config.hostname = options.hostname;
    if (options.quiet)
        config.quiet = true;
    if (options.discard)
        config.durable = false;
    if (!options.user.empty())
        config.user = options.user;
    if (!options.faults_file.empty())
        config.faults = reference::load_fault_plan(options.faults_file);
    if (options.seed_given)
        config.faults.seed = options.seed;
    return config;
}

void print_banner(const reference::Server& server) {
    const auto& config = server.config();
    std::printf("mailharness serve: %s, maildir %s%s\n", config.hostname.c_str(),
                config.maildir.c_str(), config.durable ? "" : " (DISCARD mode: nothing is kept)");
    for (const auto& listener : server.listeners()) {
        std::printf("  listening  %-10s %s\n", reference::to_string(listener.service),
                    listener.endpoint.to_string().c_str());
    }
    for (const auto& account : config.accounts) {
        std::string addresses;
        for (const auto& address : account.addresses) {
            addresses += (addresses.empty() ? "" : ", ") + address;
        }
        std::printf("  account    %-10s %s\n", account.name.c_str(), addresses.c_str());
    }
    if (!config.faults.rules.empty()) {
        std::printf("  faults     %zu rule(s), seed %llu\n", config.faults.rules.size(),
                    static_cast<unsigned long long>(config.faults.seed));
    }
    std::fflush(stdout);
}

int hash_password_from_stdin() {
    std::string password;
    if (!std::getline(std::cin, password) || password.empty()) {
        std::fprintf(stderr, "mailharness serve --hash-password: give the password on stdin\n");
        return 2;
    }
    std::printf("%s\n", reference::hash_password(password).c_str());
    return 0;
}

int serve(const ServeOptions& options) {
    if (options.hash_password) {
        return hash_password_from_stdin();
    }
    reference::Config config;
    try {
        config = build_config(options);
    } catch (const reference::ConfigError& e) {
        std::fprintf(stderr, "mailharness serve: %s\n", e.what());
        return 2;
    }
    // Block the stop signals before the workers start, so that they inherit the mask and
    // only this thread receives the signals, through sigwait.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    try {
        reference::Server server(std::move(config));
        // Listening and the TLS key need root; the sessions do not.
        reference::drop_privileges(server.config().user, server.config().maildir);
        if (geteuid() == 0) {
            std::fprintf(stderr, "mailharness serve: warning: running as root; give --user\n");
        }
        server.start();
        print_banner(server);
        int signal = 0;
        sigwait(&signals, &signal);
        const auto grace = server.config().timeouts.shutdown_grace;
        std::fprintf(stderr, "mailharness serve: %s, draining %zu session(s) for up to %llds\n",
                     signal == SIGINT ? "SIGINT" : "SIGTERM", server.active_sessions(),
                     static_cast<long long>(grace.count()));
        server.stop(grace);
        std::fprintf(stderr, "mailharness serve: stopped\n");
    } catch (const std::exception& e) {
        std::fprintf(stderr, "mailharness serve: %s\n", e.what());
        return 1;
    }
    return 0;
}

}  // namespace

void add_serve_command(CLI::App& app, CommandContext& ctx) {
    auto* serve_app = app.add_subcommand(
        "serve",
        "Run the reference SMTP/POP3 server (no options: the embedded profile on 127.0.0.1 "
        "ports 2525 smtp, 2587 submission, 2465 smtps, 2110 pop3, 2995 pop3s)");
    auto options = std::make_shared<ServeOptions>();
    serve_app->add_option("--config", options->config_file, "YAML configuration (docs/serve.md)")
        ->check(CLI::ExistingFile);
    serve_app->add_option("--smtp", options->smtp, "SMTP listener ADDR:PORT (repeatable)");
    serve_app->add_option("--submission", options->submission,
                          "submission listener ADDR:PORT, AUTH required (repeatable)");
    serve_app->add_option("--smtps", options->smtps,
                          "implicit-TLS SMTP listener ADDR:PORT (repeatable)");
    serve_app->add_option("--pop3", options->pop3, "POP3 listener ADDR:PORT (repeatable)");
    serve_app->add_option("--pop3s", options->pop3s,
                          "implicit-TLS POP3 listener ADDR:PORT (repeatable)");
    serve_app->add_option("--maildir", options->maildir, "root of the accounts' Maildirs");
    serve_app->add_option("--hostname", options->hostname, "name in greetings and Received:");
    serve_app->add_option("--user", options->user,
                          "when started as root: run as this user once listening");
    serve_app
        ->add_option("--faults", options->faults_file,
                     "YAML fault plan: injected replies, delays, disconnects (docs/faults.md)")
        ->check(CLI::ExistingFile);
    auto* seed =
        serve_app->add_option("--seed", options->seed, "seed of the fault plan's random choices");
    serve_app->add_flag("--quiet", options->quiet, "no per-session log lines");
    serve_app->add_flag("--discard", options->discard,
                        "accept mail and drop it (load-testing clients only)");
    serve_app->add_flag("--hash-password", options->hash_password,
                        "read a password on stdin, print its password_hash for the config");
    serve_app->callback([options, seed, &ctx] {
        options->seed_given = seed->count() > 0;
        ctx.exit_code = serve(*options);
    });
}

}  // namespace mh::cli
