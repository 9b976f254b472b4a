// mailharness record: a transparent proxy that writes the conversations it relays as a suite
// (docs/record.md). Exit codes: 0 written, 2 bad usage or listener, 3 nothing recorded.
#include <cstdio>
#include <fstream>
#include <memory>

#include "cli/commands.hpp"
#include "harness/record/proxy.hpp"
#include "harness/record/suite_writer.hpp"
#include "harness/scenario/suite_loader.hpp"
#include "reference/clients/client_error.hpp"
#include "reference/clients/server_address.hpp"
#include "reference/config/config.hpp"
#include "reference/server/tls.hpp"

#ifndef MH_VERSION
#define MH_VERSION "unknown"
#endif

namespace mh::cli {

namespace {

namespace record = harness::record;

struct RecordFlags {
    std::string listen = "127.0.0.1:0";
    std::string upstream;
    std::string out;
    bool pop3 = false;
    std::size_t sessions = 1;
    std::string suite = "recorded";
    std::string hostname = "mx.example.test";
};

// Usage errors of the parsers, reported against our flag names.
reference::Endpoint listen_address(const std::string& text) {
    try {
        return reference::parse_endpoint(text);
    } catch (const std::exception& e) {
        throw CLI::ValidationError("--listen", e.what());
    }
}

reference::clients::ServerAddress upstream_address(const std::string& text) {
    try {
        return reference::clients::parse_server_address(text);
    } catch (const reference::clients::ClientError&) {
        throw CLI::ValidationError("--upstream", "must be HOST:PORT, not \"" + text + "\"");
    }
}

int record_sessions(const RecordFlags& flags, Verbosity verbosity) {
    const auto listen = listen_address(flags.listen);
    const auto upstream = upstream_address(flags.upstream);
    record::ProxyOptions options;
    options.listen_host = listen.address;
    options.listen_port = listen.port;
    options.upstream_host = upstream.host;
    options.upstream_port = upstream.port;
    options.protocol =
        flags.pop3 ? harness::scenario::Protocol::pop3 : harness::scenario::Protocol::smtp;
    options.sessions = flags.sessions;
    options.on_listening = [&](const std::string& bound) {
        if (verbosity != Verbosity::quiet) {
            std::printf("mailharness record: listening on %s, relaying to %s (%s); %s\n",
                        bound.c_str(), flags.upstream.c_str(), flags.pop3 ? "POP3" : "SMTP",
                        flags.sessions == 0 ? "Ctrl-C writes the file"
                                            : ("the file is written after " +
                                               std::to_string(flags.sessions) + " session(s)")
                                                  .c_str());
            std::fflush(stdout);
        }
    };
    if (verbosity != Verbosity::quiet) {
        options.log = [](const std::string& line) {
            std::fprintf(stderr, "mailharness record: %s\n", line.c_str());
        };
    }

    std::vector<record::Session> sessions;
    try {
        // The certificate the client sees after STARTTLS: the reference server's, self-signed.
        auto tls = reference::make_server_tls_context({}, {}, flags.hostname);
        sessions = record::run_proxy(options, tls);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "mailharness record: %s\n", e.what());
        return 2;
    }
    std::erase_if(sessions, [](const record::Session& s) { return s.steps.empty(); });
    if (sessions.empty()) {
        std::fprintf(stderr, "mailharness record: nothing was recorded, %s not written\n",
                     flags.out.c_str());
        return 3;
    }

    record::SuiteHeader header;
    header.suite_id = flags.suite;
    header.protocol = options.protocol;
    header.upstream = flags.upstream;
    header.tool_version = MH_VERSION;
    {
        std::ofstream file(flags.out, std::ios::binary);
        file << record::write_suite(header, sessions);
        if (!file) {
            std::fprintf(stderr, "mailharness record: cannot write %s\n", flags.out.c_str());
            return 2;
        }
    }
    // What was written must load: the loader is the judge of the format.
    const auto load = harness::scenario::load_suite(flags.out);
    for (const auto& error : load.errors) {
        std::fprintf(stderr, "%s\n", error.format().c_str());
    }
    if (!load.errors.empty()) {
        std::fprintf(stderr, "mailharness record: %s does not load (a bug: please report it)\n",
                     flags.out.c_str());
        return 2;
    }
    std::size_t steps = 0;
    for (const auto& session : sessions) {
        steps += session.steps.size();
    }
    if (verbosity != Verbosity::quiet) {
        std::printf("mailharness record: wrote %s: %zu case(s), %zu steps\n", flags.out.c_str(),
                    sessions.size(), steps);
    }
    return 0;
}

}  // namespace

void add_record_command(CLI::App& app, CommandContext& ctx) {
    auto flags = std::make_shared<RecordFlags>();
    CLI::App* command = app.add_subcommand(
        "record", "Relay a client's session to a server and write it as a suite case");
    command
        ->add_option("--listen", flags->listen,
                     "Where the client connects, HOST:PORT (port 0: a free one, printed)")
        ->capture_default_str();
    command->add_option("--upstream", flags->upstream, "The server to relay to, HOST:PORT")
        ->required();
    command->add_option("-o,--out", flags->out, "The suite file to write")->required();
    command->add_flag("--pop3", flags->pop3, "The sessions are POP3 (default: SMTP)");
    command
        ->add_option("--sessions", flags->sessions,
                     "Write the file after this many sessions ended; 0: on Ctrl-C")
        ->capture_default_str();
    command->add_option("--suite", flags->suite, "Suite id of the written file")
        ->capture_default_str();
    command
        ->add_option("--hostname", flags->hostname,
                     "Name in the certificate the client sees after STARTTLS")
        ->capture_default_str();
    command->callback([flags, &ctx] { ctx.exit_code = record_sessions(*flags, ctx.verbosity); });
}

}  // namespace mh::cli
