#pragma once
// `${name}` references in suite text. Built-in names come from the target profile
// (docs/scenario-format.md "Variables"); suites add their own under `variables:`, and
// `capture:` steps define more while a case runs. `$${` writes a literal "${".

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace mh::harness::scenario {

struct VariableScan {
    std::vector<std::string> names;  // in order of appearance
    bool unterminated = false;       // a "${" without its "}"
};
VariableScan scan_variables(std::string_view text);

// Names the target profile provides: domain, foreign_address, max_message_size, smtp_host,
// smtp_port, pop3_host, pop3_port, case_id, unique, and userN / addressN / passwordN (N >= 1).
bool is_builtin_variable(std::string_view name);

class UndefinedVariable : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Replaces every reference through `lookup`; throws UndefinedVariable (naming the variable
// and why) when lookup has no value.
using VariableLookup = std::function<std::optional<std::string>(const std::string& name)>;
std::string substitute(std::string_view text, const VariableLookup& lookup);

}  // namespace mh::harness::scenario
