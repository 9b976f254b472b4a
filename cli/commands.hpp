#pragma once
// Each subcommand lives in its own <name>_command.cpp and registers itself here. A subcommand's
// callback returns the process exit code through `exit_code` (see docs/cli.md for the codes).

#include <CLI/CLI.hpp>

namespace mh::cli {

// Set by -q/--quiet and --verbose on the main command (given before or after the subcommand).
enum class Verbosity { quiet, normal, verbose };

struct CommandContext {
    int exit_code = 0;
    Verbosity verbosity = Verbosity::normal;
};

void add_serve_command(CLI::App& app, CommandContext& ctx);
void add_send_command(CLI::App& app, CommandContext& ctx);
void add_fetch_command(CLI::App& app, CommandContext& ctx);
void add_report_command(CLI::App& app, CommandContext& ctx);
void add_validate_command(CLI::App& app, CommandContext& ctx);
void add_list_command(CLI::App& app, CommandContext& ctx);
void add_run_command(CLI::App& app, CommandContext& ctx);
void add_coverage_command(CLI::App& app, CommandContext& ctx);
void add_diff_command(CLI::App& app, CommandContext& ctx);
void add_bench_command(CLI::App& app, CommandContext& ctx);
void add_fuzz_command(CLI::App& app, CommandContext& ctx);
void add_record_command(CLI::App& app, CommandContext& ctx);

}  // namespace mh::cli
