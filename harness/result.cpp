#include "harness/result.hpp"

#include <array>
#include <utility>

namespace mh::harness {

namespace {

constexpr std::array<std::pair<Level, const char*>, 3> level_names{{
    {Level::must, "MUST"},
    {Level::should, "SHOULD"},
    {Level::may, "MAY"},
}};

constexpr std::array<std::pair<Outcome, const char*>, 5> outcome_names{{
    {Outcome::pass, "pass"},
    {Outcome::fail, "fail"},
    {Outcome::skip, "skip"},
    {Outcome::waived, "waived"},
    {Outcome::error, "error"},
}};

template <typename Enum, std::size_t N>
const char* name_of(const std::array<std::pair<Enum, const char*>, N>& names, Enum value) {
    for (const auto& [candidate, name] : names) {
        if (candidate == value) {
            return name;
        }
    }
    return "?";
}

template <typename Enum, std::size_t N>
std::optional<Enum> value_of(const std::array<std::pair<Enum, const char*>, N>& names,
                             std::string_view text) {
    for (const auto& [value, name] : names) {
        if (text == name) {
            return value;
        }
    }
    return std::nullopt;
}

}  // namespace

int weight(Level level) {
    switch (level) {
        case Level::must:
            return 3;
        case Level::should:
            return 2;
        case Level::may:
            return 1;
    }
    return 0;
}

const char* to_string(Level level) {
    return name_of(level_names, level);
}
const char* to_string(Outcome outcome) {
    return name_of(outcome_names, outcome);
}

std::optional<Level> parse_level(std::string_view text) {
    return value_of(level_names, text);
}
std::optional<Outcome> parse_outcome(std::string_view text) {
    return value_of(outcome_names, text);
}

}  // namespace mh::harness
