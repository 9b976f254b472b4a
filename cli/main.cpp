// mailharness: SMTP and POP3 conformance, load and fuzz testing. One executable, subcommands.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/conventions.hpp"

#ifndef MH_VERSION
#define MH_VERSION "unknown"
#endif

int main(int argc, char** argv) {
    CLI::App app{"mailharness: SMTP and POP3 conformance suites, load and fuzz testing"};
    app.set_version_flag("--version", std::string("mailharness ") + MH_VERSION);
    app.require_subcommand(0, 1);  // none only with the generators below
    app.fallthrough();             // -q / --verbose after the subcommand too

    mh::cli::CommandContext ctx;
    app.add_flag_callback(
        "-q,--quiet", [&ctx] { ctx.verbosity = mh::cli::Verbosity::quiet; },
        "Print only errors and results (commands with their own --quiet keep it)");
    app.add_flag_callback(
        "--verbose", [&ctx] { ctx.verbosity = mh::cli::Verbosity::verbose; },
        "Print more about what the command does");
    // Build-time generators of the man page and the bash completion (cli/conventions.hpp).
    std::string man_page, bash_completion;
    app.add_option("--generate-man-page", man_page)->group("");
    app.add_option("--generate-bash-completion", bash_completion)->group("");
    mh::cli::add_serve_command(app, ctx);
    mh::cli::add_validate_command(app, ctx);
    mh::cli::add_list_command(app, ctx);
    mh::cli::add_run_command(app, ctx);
    mh::cli::add_coverage_command(app, ctx);
    mh::cli::add_send_command(app, ctx);
    mh::cli::add_fetch_command(app, ctx);
    mh::cli::add_report_command(app, ctx);
    mh::cli::add_diff_command(app, ctx);
    mh::cli::add_bench_command(app, ctx);
    mh::cli::add_fuzz_command(app, ctx);
    mh::cli::add_record_command(app, ctx);
    mh::cli::add_help_examples(app);  // after every subcommand is registered

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::RequiredError& e) {
        // CLI11 checks required options before unknown ones; a mistyped option is the more
        // useful error ("--sever" rather than "--server is required").
        const std::vector<std::string> unknown = app.remaining(true);
        if (unknown.empty()) {
            app.exit(e);
        } else {
            app.exit(CLI::ExtrasError(unknown));
        }
        return 2;  // bad usage (docs/cli.md: exit codes)
    } catch (const CLI::ParseError& e) {
        app.exit(e);
        return 2;
    }
    if (!man_page.empty() || !bash_completion.empty()) {
        if (!man_page.empty()) {
            std::ofstream(man_page) << mh::cli::man_page(app, MH_VERSION);
        }
        if (!bash_completion.empty()) {
            std::ofstream(bash_completion) << mh::cli::bash_completion(app);
        }
        return 0;
    }
    if (app.get_subcommands().empty()) {
        std::fprintf(stderr, "%s\nmailharness: a command is required (see above)\n",
                     app.help().c_str());
        return 2;
    }
    return ctx.exit_code;
}
