#pragma once
// Joins text pieces into one string with a single allocation. The lenient parsers build a
// diagnostic from several pieces for every malformed line of untrusted input, where a chain of
// operator+ reallocated at each step; the fuzz targets execute little else.

#include <charconv>
#include <concepts>
#include <cstddef>
#include <string>
#include <string_view>

namespace mh::proto {

// A piece of text: a string literal's length is known at compile time, which saves a strlen per
// piece (a call into ASan's interceptor in the fuzz builds); anything else converts as usual.
template <std::size_t N>
std::string_view text_piece(const char (&literal)[N]) {
    return {literal, N - 1};
}
template <class Part>
std::string_view text_piece(const Part& part) {
    return std::string_view(part);
}

// A number as decimal text, without a std::string: a piece of a diagnostic.
class Decimal {
  public:
    template <std::integral Number>
    explicit Decimal(Number number)
        : size_(static_cast<std::size_t>(
              std::to_chars(digits_, digits_ + sizeof digits_, number).ptr - digits_)) {}
    operator std::string_view() const { return {digits_, size_}; }

  private:
    char digits_[20];
    std::size_t size_;
};

// Replaces `out` with the pieces joined, reusing its capacity (no allocation when it suffices);
// no piece may refer to `out` itself. Character arrays are taken for string literals.
template <class... Parts>
void assign_concat(std::string& out, const Parts&... parts) {
    const std::string_view views[] = {text_piece(parts)...};
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

// The pieces joined as a new string, with one allocation.
template <class... Parts>
std::string concat(const Parts&... parts) {
    std::string out;
    assign_concat(out, parts...);
    return out;
}

}  // namespace mh::proto
