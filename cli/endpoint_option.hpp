#pragma once
// HOST:PORT and TLS-mode command-line values, shared by the commands that take a target
// (`run`, `fuzz`). Bad values throw CLI::ValidationError naming the flag and what to write.

#include <CLI/CLI.hpp>

#include <string>

#include "harness/scenario/target.hpp"

namespace mh::cli {

harness::scenario::Endpoint parse_endpoint(const std::string& flag, const std::string& text);

// `text` empty: `fallback`.
harness::scenario::TlsMode tls_mode(const std::string& flag, const std::string& text,
                                    harness::scenario::TlsMode fallback);

}  // namespace mh::cli
