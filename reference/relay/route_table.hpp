#pragma once
// Where the relay sends mail for a domain. The interface lets an MX lookup (RFC 5321 5.1) stand
// in for the configured table later; the test machines have no DNS, so routes come from
// the configuration.

#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "reference/config/relay_config.hpp"

namespace mh::reference {

class NextHopResolver {
  public:
    virtual ~NextHopResolver() = default;
    // The next hop for a recipient domain; nullopt when there is none (a permanent failure).
    virtual std::optional<NextHop> next_hop(std::string_view domain) const = 0;
};

// The configured routes: an exact domain first, then the longest ".parent" entry covering it,
// then the smarthost.
class RouteTable : public NextHopResolver {
  public:
    RouteTable(std::vector<Route> routes, std::optional<NextHop> smarthost);
    std::optional<NextHop> next_hop(std::string_view domain) const override;

  private:
    std::vector<Route> routes_;
    std::optional<NextHop> smarthost_;
};

}  // namespace mh::reference
