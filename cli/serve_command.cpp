#include "cli/commands.hpp"

#include <cstdio>

namespace mh::cli {

void add_serve_command(CLI::App& app, CommandContext& ctx) {
    auto* serve = app.add_subcommand("serve", "Run the reference SMTP/POP3 server");
    serve->callback([&ctx] {
        std::fprintf(stderr, "mailharness serve: not built yet\n");
        ctx.exit_code = 2;
    });
}

}  // namespace mh::cli
