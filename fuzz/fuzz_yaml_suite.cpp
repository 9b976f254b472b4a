// The suite loader (harness/scenario/suite_loader.hpp) on arbitrary YAML text. Invariants: never
// a crash or an exception; always either a suite or at least one error, never both; every error
// has a message and, when it has a position, one inside the text.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/support/fuzz_input.hpp"
#include "harness/scenario/suite_loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using mh::fuzz::require;
    const std::string_view yaml = mh::fuzz::as_text(data, size);
    // `data: {file: ...}` resolves against this folder, which does not exist: no file is read.
    const auto load = mh::harness::scenario::parse_suite(yaml, "fuzz.yaml", "/nonexistent/fuzz");
    require(load.suite.has_value() != !load.errors.empty(),
            "a suite and errors together, or neither");
    const auto lines = static_cast<int>(std::count(yaml.begin(), yaml.end(), '\n')) + 1;
    for (const auto& error : load.errors) {
        require(!error.message.empty(), "an error without a message");
        require(error.position.line >= 0 && error.position.line <= lines + 1 &&
                    error.position.column >= 0,
                "an error positioned outside the text");
    }
    return 0;
}
