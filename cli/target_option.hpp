#pragma once
// The target of the commands that talk to a server under test (`run`, `fuzz`, `bench scenario`,
// `diff`): a profile file (--target), endpoints from flags (--smtp / --pop3 HOST:PORT, which
// also override the file's), or, given neither, the embedded reference. One resolution, so the
// commands agree on the flags, their errors and their exit codes (docs/cli.md).

#include <CLI/CLI.hpp>

#include <memory>
#include <string>
#include <string_view>

#include "cli/embedded_target.hpp"
#include "harness/scenario/target.hpp"
#include "reference/embedded.hpp"

namespace mh::cli {

struct TargetFlags {
    std::string file;                     // --target FILE
    std::string smtp, pop3;               // HOST:PORT
    std::string tls, smtp_tls, pop3_tls;  // none, starttls or implicit; empty: not given

    // Adds --target, --smtp, --pop3 and, with_tls, --tls, --smtp-tls and --pop3-tls.
    void add_to(CLI::App& command, bool with_tls);
};

struct ResolvedTarget {
    harness::scenario::TargetProfile profile;
    // The server behind `profile` when no target was given: it stops, and its store goes, with
    // this (or at reset()).
    std::unique_ptr<EmbeddedTarget> embedded;
    // 0; or, with the reason already on stderr, what the command exits with: 2 the profile
    // file has errors (each with file:line:column), 3 the embedded reference did not start.
    int exit_code = 0;

    explicit operator bool() const { return exit_code == 0; }
};

// `purpose` and `options`: the embedded reference's store folder name and mode, for when it is
// the target. A bad HOST:PORT or TLS mode throws CLI::ValidationError naming the flag.
ResolvedTarget resolve_target(const TargetFlags& flags, std::string_view purpose,
                              reference::EmbeddedOptions options);

}  // namespace mh::cli
