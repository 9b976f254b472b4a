#pragma once
// Typed reads of YAML nodes that report what is wrong at the node's position instead of
// throwing, so one pass over a file collects all of its errors.

#include <yaml-cpp/yaml.h>

#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "harness/scenario/load_error.hpp"
#include "harness/scenario/model.hpp"

namespace mh::harness::scenario::detail {

class YamlReader {
  public:
    explicit YamlReader(std::string file) : file_(std::move(file)) {}

    const std::string& file() const { return file_; }
    Position position(const YAML::Node& node) const;
    Position position(const YAML::Mark& mark) const;

    void error(const Position& at, std::string message);
    void error(const YAML::Node& at, std::string message) {
        error(position(at), std::move(message));
    }
    const std::vector<LoadError>& errors() const { return errors_; }
    std::vector<LoadError> take_errors() { return std::move(errors_); }

    // Reports keys of `map` that are not `allowed` (suggesting the nearest one) and keys that
    // appear twice; `what` names the map in messages ("a case").
    void check_keys(const YAML::Node& map, std::initializer_list<std::string_view> allowed,
                    std::string_view what);
    // Reports a missing required key at the map's position; returns whether it is there.
    bool require_key(const YAML::Node& map, std::string_view key, std::string_view what,
                     std::string_view example);

    bool expect_map(const YAML::Node& node, std::string_view what, std::string_view example);
    bool expect_sequence(const YAML::Node& node, std::string_view what, std::string_view example);

    std::optional<std::string> string(const YAML::Node& node, std::string_view what);
    std::optional<std::string> non_empty_string(const YAML::Node& node, std::string_view what);
    std::optional<std::size_t> count(const YAML::Node& node, std::string_view what);
    std::optional<bool> boolean(const YAML::Node& node, std::string_view what);
    std::optional<Duration> duration(const YAML::Node& node, std::string_view what);
    std::optional<Pattern> pattern(const YAML::Node& node, std::string_view what,
                                   std::size_t groups_required = 0);
    // A list of strings; a single string is accepted as a list of one.
    std::optional<std::vector<std::string>> string_list(const YAML::Node& node,
                                                        std::string_view what);

  private:
    std::string file_;
    std::vector<LoadError> errors_;
    std::set<std::tuple<int, int, std::string>> seen_;  // fixture steps are reached more than once
};

// "300ms", "5s", "1.5s", "2m" -> milliseconds; nullopt for anything else.
std::optional<Duration> parse_duration(std::string_view text);

// The YAML node as one line of flow YAML, for "expected" in failure messages.
std::string flow_text(const YAML::Node& node);

}  // namespace mh::harness::scenario::detail
