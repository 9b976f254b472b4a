#include "reference/relay/route_table.hpp"

#include "reference/config/accounts.hpp"

namespace mh::reference {

RouteTable::RouteTable(std::vector<Route> routes, std::optional<NextHop> smarthost)
    : routes_(std::move(routes)), smarthost_(std::move(smarthost)) {}

std::optional<NextHop> RouteTable::next_hop(std::string_view domain) const {
    const std::string wanted = to_lower_ascii(domain);
    const Route* best = nullptr;
    for (const Route& route : routes_) {
        if (route.domain == wanted) {
            return route.next_hop;
        }
        const bool covers = route.domain.starts_with('.') &&
                            (wanted.ends_with(route.domain) || wanted == route.domain.substr(1));
        if (covers && (best == nullptr || route.domain.size() > best->domain.size())) {
            best = &route;
        }
    }
    if (best != nullptr) {
        return best->next_hop;
    }
    return smarthost_;
}

}  // namespace mh::reference
