#include "harness/scenario/detail/yaml_reader.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "harness/scenario/variables.hpp"

namespace mh::harness::scenario::detail {

namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) {
        row[j] = j;
    }
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] =
                std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

std::string kind_of(const YAML::Node& node) {
    switch (node.Type()) {
        case YAML::NodeType::Map:
            return "a map";
        case YAML::NodeType::Sequence:
            return "a list";
        case YAML::NodeType::Null:
            return "nothing";
        case YAML::NodeType::Scalar:
            return "\"" + node.Scalar() + "\"";
        case YAML::NodeType::Undefined:
            break;
    }
    return "nothing";
}

}  // namespace

Position YamlReader::position(const YAML::Mark& mark) const {
    if (mark.is_null()) {
        return Position{file_, 0, 0};
    }
    return Position{file_, mark.line + 1, mark.column + 1};
}

Position YamlReader::position(const YAML::Node& node) const {
    return node.IsDefined() ? position(node.Mark()) : Position{file_, 0, 0};
}

void YamlReader::error(const Position& at, std::string message) {
    if (seen_.emplace(at.line, at.column, message).second) {
        errors_.push_back(LoadError{at, std::move(message)});
    }
}

void YamlReader::check_keys(const YAML::Node& map, std::initializer_list<std::string_view> allowed,
                            std::string_view what) {
    std::set<std::string> present;
    for (const auto& entry : map) {
        const YAML::Node& key_node = entry.first;
        if (!key_node.IsScalar()) {
            error(key_node, "a key of " + std::string(what) + " must be a plain word, not " +
                                kind_of(key_node));
            continue;
        }
        const std::string key = key_node.Scalar();
        if (!present.insert(key).second) {
            error(key_node,
                  "key `" + key + "` appears twice in " + std::string(what) + "; keep one of them");
            continue;
        }
        if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) {
            continue;
        }
        std::string message = "unknown key `" + key + "` in " + std::string(what);
        std::string_view nearest;
        std::size_t best = 3;
        for (std::string_view candidate : allowed) {
            const std::size_t distance = edit_distance(key, candidate);
            if (distance < best) {
                best = distance;
                nearest = candidate;
            }
        }
        if (!nearest.empty()) {
            message += " (did you mean `" + std::string(nearest) + "`?)";
        }
        message += "; allowed keys:";
        for (std::string_view candidate : allowed) {
            message += " " + std::string(candidate);
        }
        error(key_node, std::move(message));
    }
}

bool YamlReader::require_key(const YAML::Node& map, std::string_view key, std::string_view what,
                             std::string_view example) {
    if (map[std::string(key)]) {
        return true;
    }
    error(map, std::string(what) + " lacks the required key `" + std::string(key) + "`; write " +
                   std::string(example));
    return false;
}

bool YamlReader::expect_map(const YAML::Node& node, std::string_view what,
                            std::string_view example) {
    if (node.IsMap()) {
        return true;
    }
    error(node, std::string(what) + " must be a map, not " + kind_of(node) + "; write " +
                    std::string(example));
    return false;
}

bool YamlReader::expect_sequence(const YAML::Node& node, std::string_view what,
                                 std::string_view example) {
    if (node.IsSequence()) {
        return true;
    }
    error(node, std::string(what) + " must be a list, not " + kind_of(node) + "; write " +
                    std::string(example));
    return false;
}

std::optional<std::string> YamlReader::string(const YAML::Node& node, std::string_view what) {
    if (node.IsScalar()) {
        return node.Scalar();
    }
    error(node, std::string(what) + " must be a text, not " + kind_of(node));
    return std::nullopt;
}

std::optional<std::string> YamlReader::non_empty_string(const YAML::Node& node,
                                                        std::string_view what) {
    auto text = string(node, what);
    if (text && text->empty()) {
        error(node, std::string(what) + " must not be empty");
        return std::nullopt;
    }
    return text;
}

std::optional<std::size_t> YamlReader::count(const YAML::Node& node, std::string_view what) {
    if (node.IsScalar()) {
        const std::string& text = node.Scalar();
        std::size_t value = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (ec == std::errc() && end == text.data() + text.size() && !text.empty()) {
            return value;
        }
    }
    error(node, std::string(what) + " must be a whole number of 0 or more, not " + kind_of(node));
    return std::nullopt;
}

std::optional<bool> YamlReader::boolean(const YAML::Node& node, std::string_view what) {
    if (node.IsScalar() && (node.Scalar() == "true" || node.Scalar() == "false")) {
        return node.Scalar() == "true";
    }
    error(node, std::string(what) + " must be true or false, not " + kind_of(node));
    return std::nullopt;
}

std::optional<Duration> YamlReader::duration(const YAML::Node& node, std::string_view what) {
    if (node.IsScalar()) {
        if (auto value = parse_duration(node.Scalar())) {
            return value;
        }
    }
    error(node,
          std::string(what) + " must be a duration such as 300ms, 5s or 1m, not " + kind_of(node));
    return std::nullopt;
}

std::optional<Pattern> YamlReader::pattern(const YAML::Node& node, std::string_view what,
                                           std::size_t groups_required) {
    auto text = string(node, what);
    if (!text) {
        return std::nullopt;
    }
    // With ${name} references, the syntax is checked with a stand-in value for each; the
    // executor compiles the pattern once the values are known.
    const bool has_variables = !scan_variables(*text).names.empty();
    try {
        const std::string checked =
            has_variables ? substitute(*text, [](const std::string&) { return "x"; }) : *text;
        auto regex = std::make_shared<const std::regex>(checked, std::regex::ECMAScript);
        if (groups_required > 0 && regex->mark_count() != groups_required) {
            error(node, std::string(what) + " must have exactly " +
                            std::to_string(groups_required) + " group in parentheses, it has " +
                            std::to_string(regex->mark_count()) +
                            "; write e.g. \"queued as ([A-Z0-9]+)\"");
            return std::nullopt;
        }
        if (has_variables) {
            return Pattern{*text, nullptr, true};
        }
        return Pattern{*text, std::move(regex)};
    } catch (const std::regex_error& e) {
        error(node,
              std::string(what) + " is not a valid regular expression (ECMAScript): " + e.what());
        return std::nullopt;
    }
}

std::optional<std::vector<std::string>> YamlReader::string_list(const YAML::Node& node,
                                                                std::string_view what) {
    if (node.IsScalar()) {
        return std::vector<std::string>{node.Scalar()};
    }
    if (!node.IsSequence()) {
        error(node,
              std::string(what) + " must be a list of texts such as [a, b], not " + kind_of(node));
        return std::nullopt;
    }
    std::vector<std::string> out;
    for (const auto& item : node) {
        if (auto text = string(item, std::string("an entry of ") + std::string(what))) {
            out.push_back(*text);
        }
    }
    return out;
}

std::optional<Duration> parse_duration(std::string_view text) {
    double value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || value < 0 || !std::isfinite(value)) {
        return std::nullopt;
    }
    const std::string_view unit = text.substr(static_cast<std::size_t>(end - text.data()));
    double factor = 0;
    if (unit == "ms") {
        factor = 1;
    } else if (unit == "s") {
        factor = 1000;
    } else if (unit == "m") {
        factor = 60000;
    } else {
        return std::nullopt;
    }
    const double ms = value * factor;
    if (ms > 24.0 * 3600 * 1000) {
        return std::nullopt;  // a day: surely a typo
    }
    return Duration{static_cast<Duration::rep>(std::llround(ms))};
}

std::string flow_text(const YAML::Node& node) {
    YAML::Emitter out;
    out.SetMapFormat(YAML::Flow);
    out.SetSeqFormat(YAML::Flow);
    out << node;
    return out.c_str();
}

}  // namespace mh::harness::scenario::detail
