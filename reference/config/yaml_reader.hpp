#pragma once
// Reads YAML nodes for the configuration files, failing with ConfigError "NAME:LINE:COLUMN:
// reason" at the offending node. Shared by the server configuration and its relay section.

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <initializer_list>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "reference/config/config.hpp"
#include "reference/config/relay_config.hpp"

namespace mh::reference::config_detail {

// Builds "name:line:column: message" from a node's position (yaml-cpp counts from 0).
class Reader {
  public:
    explicit Reader(std::string name) : name_(std::move(name)) {}

    [[noreturn]] void fail(const YAML::Mark& mark, const std::string& message) const {
        std::ostringstream out;
        out << name_;
        if (!mark.is_null()) {
            out << ':' << mark.line + 1 << ':' << mark.column + 1;
        }
        out << ": " << message;
        throw ConfigError(out.str());
    }
    [[noreturn]] void fail(const YAML::Node& node, const std::string& message) const {
        fail(node.Mark(), message);
    }

    void expect_map(const YAML::Node& node, std::string_view what,
                    std::initializer_list<std::string_view> keys) const {
        if (!node.IsMap()) {
            fail(node, std::string(what) + " must be a mapping");
        }
        for (const auto& entry : node) {
            const auto key = entry.first.as<std::string>();
            if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
                std::string known;
                for (auto k : keys) {
                    known += (known.empty() ? "" : ", ") + std::string(k);
                }
                fail(entry.first, "unknown key '" + key + "' in " + std::string(what) +
                                      " (known: " + known + ")");
            }
        }
    }

    std::string string(const YAML::Node& node, std::string_view what) const {
        if (!node.IsScalar()) {
            fail(node, std::string(what) + " must be a string");
        }
        return node.Scalar();
    }

    std::vector<std::string> strings(const YAML::Node& node, std::string_view what) const {
        if (node.IsScalar()) {
            return {node.Scalar()};
        }
        if (!node.IsSequence()) {
            fail(node, std::string(what) + " must be a string or a list of strings");
        }
        std::vector<std::string> out;
        for (const auto& item : node) {
            out.push_back(string(item, what));
        }
        return out;
    }

    std::uint64_t number(const YAML::Node& node, std::string_view what, std::uint64_t min,
                         std::uint64_t max) const {
        const std::string text = node.IsScalar() ? node.Scalar() : std::string();
        std::uint64_t value = 0;
        auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (text.empty() || ec != std::errc{} || ptr != text.data() + text.size() || value < min ||
            value > max) {
            fail(node, std::string(what) + " must be a whole number from " + std::to_string(min) +
                           " to " + std::to_string(max));
        }
        return value;
    }

    bool boolean(const YAML::Node& node, std::string_view what) const {
        bool value = false;
        if (!node.IsScalar() || !YAML::convert<bool>::decode(node, value)) {
            fail(node, std::string(what) + " must be true or false");
        }
        return value;
    }

    // Errors point at the offending item, not at the list.
    std::vector<Endpoint> endpoints(const YAML::Node& node, std::string_view what) const {
        std::vector<YAML::Node> items;
        if (node.IsSequence()) {
            for (const auto& item : node) {
                items.push_back(item);
            }
        } else {
            items.push_back(node);
        }
        std::vector<Endpoint> out;
        for (const auto& item : items) {
            try {
                out.push_back(parse_endpoint(string(item, what)));
            } catch (const ConfigError& e) {
                fail(item, e.what());
            }
        }
        return out;
    }

  private:
    std::string name_;
};

// The `relay:` section (relay_config.cpp).
void read_relay(const Reader& r, const YAML::Node& node, RelayConfig& out);

}  // namespace mh::reference::config_detail
