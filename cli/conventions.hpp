#pragma once
// Command-line conventions shared by every subcommand: an "Examples:" footer on each --help,
// and the man page and bash completion generated from the same CLI definition (so they cannot
// drift from it). docs/install.md says where the generated files are installed.

#include <CLI/CLI.hpp>

#include <string>
#include <string_view>

namespace mh::cli {

// Sets the examples footer of every subcommand (nested ones too) that has examples below.
void add_help_examples(CLI::App& app);

// troff man(7) page: synopsis, every subcommand with its options and examples, exit codes.
std::string man_page(CLI::App& app, std::string_view version);
// A bash completion script: subcommands, nested subcommands and their options.
std::string bash_completion(CLI::App& app);

}  // namespace mh::cli
