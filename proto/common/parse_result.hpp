#pragma once
// A parse outcome as a value: the parsed thing, or why the input is not valid. Parsers of
// untrusted input return it instead of throwing, so the hot path has no exceptions.

#include <cstddef>
#include <string>
#include <utility>
#include <variant>

namespace mh::proto {

struct ParseError {
    std::string reason;      // what is wrong, for the reply text and diagnostics
    std::size_t offset = 0;  // where in the input it was noticed
};

template <class T, class E = ParseError>
class ParseResult {
  public:
    ParseResult(T value) : state_(std::move(value)) {}
    ParseResult(E error) : state_(std::move(error)) {}

    bool ok() const { return state_.index() == 0; }
    explicit operator bool() const { return ok(); }
    const T& value() const& { return std::get<0>(state_); }
    T& value() & { return std::get<0>(state_); }
    T&& value() && { return std::get<0>(std::move(state_)); }
    const E& error() const { return std::get<1>(state_); }
    const T* operator->() const { return &value(); }
    const T& operator*() const { return value(); }

  private:
    std::variant<T, E> state_;
};

}  // namespace mh::proto
