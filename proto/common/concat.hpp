#pragma once
// Joins text pieces into one string with a single allocation. The lenient parsers build a
// diagnostic from several pieces for every malformed line of untrusted input, where a chain of
// operator+ reallocated at each step; the fuzz targets execute little else.

#include <cstddef>
#include <string>
#include <string_view>

namespace mh::proto {

// Replaces `out` with the pieces joined, reusing its capacity (no allocation when it suffices);
// no piece may refer to `out` itself.
template <class... Parts>
void assign_concat(std::string& out, const Parts&... parts) {
    const std::string_view views[] = {std::string_view(parts)...};
    std::size_t size = 0;
    for (const std::string_view view : views) {
        size += view.size();
    }
    out.clear();
    out.reserve(size);
    for (const std::string_view view : views) {
        out.append(view);
    }
}

template <class... Parts>
std::string concat(const Parts&... parts) {
    std::string out;
    assign_concat(out, parts...);
    return out;
}

}  // namespace mh::proto
