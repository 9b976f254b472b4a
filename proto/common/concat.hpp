#pragma once
// Joins text pieces into one string with a single allocation. The lenient parsers build a
// diagnostic from several pieces for every malformed line of untrusted input, where a chain of
// operator+ reallocated at each step; the fuzz targets execute little else.

#include <cstddef>
#include <string>
#include <string_view>

namespace mh::proto {

template <class... Parts>
std::string concat(const Parts&... parts) {
    const std::string_view views[] = {std::string_view(parts)...};
    std::size_t size = 0;
    for (const std::string_view view : views) {
        size += view.size();
    }
    std::string out;
    out.reserve(size);
    for (const std::string_view view : views) {
        out.append(view);
    }
    return out;
}

}  // namespace mh::proto
