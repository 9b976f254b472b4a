#pragma once
// Element `index` of `items`, to be overwritten in place: one left from an earlier use (its
// capacity reused) or a new one appended. The lenient parsers keep the vectors of a reply they
// hand out this way and trim them to the used count when it is complete.

#include <cstddef>
#include <string>
#include <vector>

namespace mh::proto {

inline std::string& reused_slot(std::vector<std::string>& items, std::size_t index) {
    if (index == items.size()) {
        items.emplace_back();
    }
    return items[index];
}

}  // namespace mh::proto
