#pragma once
// Each subcommand lives in its own <name>_command.cpp and registers itself here. A subcommand's
// callback returns the process exit code through `exit_code` (see docs/cli.md for the codes).

#include <CLI/CLI.hpp>

namespace mh::cli {

struct CommandContext {
    int exit_code = 0;
};

void add_serve_command(CLI::App& app, CommandContext& ctx);
void add_send_command(CLI::App& app, CommandContext& ctx);
void add_fetch_command(CLI::App& app, CommandContext& ctx);
void add_report_command(CLI::App& app, CommandContext& ctx);
void add_validate_command(CLI::App& app, CommandContext& ctx);
void add_list_command(CLI::App& app, CommandContext& ctx);
void add_run_command(CLI::App& app, CommandContext& ctx);
void add_coverage_command(CLI::App& app, CommandContext& ctx);

}  // namespace mh::cli
