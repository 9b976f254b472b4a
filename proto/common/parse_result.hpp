#pragma once
// A parse outcome as a value: the parsed thing, or why the input is not valid. Parsers of
// untrusted input return it instead of throwing, so the hot path has no exceptions.

#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace mh::proto {

// Why an input is not valid: a string literal, held without a copy (most reasons are fixed, and
// hostile peers and fuzzers take the error paths most: no allocation there), or composed text.
class ErrorText {
  public:
    ErrorText() = default;
    // A string literal (static storage: held by pointer); an array, so a pointer to other text
    // does not bind here.
    template <std::size_t N>
    ErrorText(const char (&literal)[N]) : literal_(literal) {}
    ErrorText(std::string composed) : composed_(std::move(composed)) {}

    std::string_view view() const {
        return literal_ != nullptr ? std::string_view(literal_) : std::string_view(composed_);
    }
    operator std::string_view() const { return view(); }
    bool empty() const { return view().empty(); }
    friend bool operator==(const ErrorText& a, const ErrorText& b) { return a.view() == b.view(); }
    friend std::string operator+(std::string text, const ErrorText& reason) {
        return text.append(reason.view());
    }
    friend std::ostream& operator<<(std::ostream& out, const ErrorText& text) {
        return out << text.view();
    }

  private:
    const char* literal_ = nullptr;
    std::string composed_;
};

struct ParseError {
    ErrorText reason;        // what is wrong, for the reply text and diagnostics
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
