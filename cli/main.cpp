// mailharness: SMTP and POP3 conformance, load and fuzz testing. One executable, subcommands.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "cli/commands.hpp"

#ifndef MH_VERSION
#define MH_VERSION "unknown"
#endif

int main(int argc, char** argv) {
    CLI::App app{"mailharness: SMTP and POP3 conformance suites, load and fuzz testing"};
    app.set_version_flag("--version", std::string("mailharness ") + MH_VERSION);
    app.require_subcommand(1);

    mh::cli::CommandContext ctx;
    mh::cli::add_serve_command(app, ctx);
    mh::cli::add_validate_command(app, ctx);
    mh::cli::add_list_command(app, ctx);
    mh::cli::add_run_command(app, ctx);
    mh::cli::add_coverage_command(app, ctx);
    mh::cli::add_send_command(app, ctx);
    mh::cli::add_fetch_command(app, ctx);
    mh::cli::add_report_command(app, ctx);

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        app.exit(e);
        return 2;  // bad usage (docs/cli.md: exit codes)
    }
    return ctx.exit_code;
}
