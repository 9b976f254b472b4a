#include "harness/scenario/variables.hpp"

#include <algorithm>
#include <array>

namespace mh::harness::scenario {

namespace {

// Calls on_text for literal runs and on_name for references, in order.
template <typename OnText, typename OnName>
bool walk(std::string_view text, OnText on_text, OnName on_name) {
    std::size_t pos = 0;
    while (pos < text.size()) {
        const std::size_t dollar = text.find('$', pos);
        if (dollar == std::string_view::npos) {
            break;
        }
        if (text.substr(dollar, 3) == "$${") {
            on_text(text.substr(pos, dollar - pos));
            on_text("${");
            pos = dollar + 3;
            continue;
        }
        if (text.substr(dollar, 2) != "${") {
            on_text(text.substr(pos, dollar + 1 - pos));
            pos = dollar + 1;
            continue;
        }
        const std::size_t close = text.find('}', dollar + 2);
        if (close == std::string_view::npos) {
            on_text(text.substr(pos));
            return false;
        }
        on_text(text.substr(pos, dollar - pos));
        on_name(std::string(text.substr(dollar + 2, close - dollar - 2)));
        pos = close + 1;
    }
    on_text(text.substr(std::min(pos, text.size())));
    return true;
}

bool numbered(std::string_view name, std::string_view prefix) {
    if (!name.starts_with(prefix) || name.size() == prefix.size() || name[prefix.size()] == '0') {
        return false;
    }
    return std::all_of(name.begin() + static_cast<std::ptrdiff_t>(prefix.size()), name.end(),
                       [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

VariableScan scan_variables(std::string_view text) {
    VariableScan scan;
    scan.unterminated = !walk(
        text, [](std::string_view) {},
        [&](std::string name) { scan.names.push_back(std::move(name)); });
    return scan;
}

bool is_builtin_variable(std::string_view name) {
    static constexpr std::array<std::string_view, 9> fixed = {
        "domain",    "foreign_address", "max_message_size", "smtp_host", "smtp_port",
        "pop3_host", "pop3_port",       "case_id",          "unique"};
    return std::find(fixed.begin(), fixed.end(), name) != fixed.end() || numbered(name, "user") ||
           numbered(name, "address") || numbered(name, "password");
}

std::string substitute(std::string_view text, const VariableLookup& lookup) {
    std::string out;
    walk(
        text, [&](std::string_view literal) { out.append(literal); },
        [&](const std::string& name) {
            auto value = lookup(name);
            if (!value) {
                throw UndefinedVariable("${" + name + "} has no value");
            }
            out += *value;
        });
    return out;
}

}  // namespace mh::harness::scenario
