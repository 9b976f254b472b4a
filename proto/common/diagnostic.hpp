#pragma once
// A lenient parser's diagnostics as data: which deviation (an index into the parser's table of
// texts) and its numbers, recorded without formatting. A parser notes one or two per malformed
// line of untrusted input; the English text is built only when someone reads it (take(), the
// runner's reports), so a parser that is only compared with itself (the fuzz targets) never
// formats. Shared by the SMTP reply parser and the POP3 response parser.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "proto/common/clear_within.hpp"

namespace mh::proto {

struct Diagnostic {
    static constexpr std::size_t max_numbers = 4;
    // Member by member, so that a list writes a record in place: a record copied whole is a
    // call to ASan's memcpy check in the fuzz builds. Only the numbers given are written: zeros
    // for the others would be merged into a memset, another ASan call per record.
    template <class... Numbers>
    explicit Diagnostic(std::uint8_t kind_of, Numbers... given)
        : kind(kind_of), count(static_cast<std::uint8_t>(sizeof...(Numbers))) {
        static_assert(sizeof...(Numbers) <= max_numbers);
        std::size_t index = 0;
        ((numbers[index++] = static_cast<std::size_t>(given)), ...);
    }

    // The numbers given, in the order of the text's placeholders.
    std::span<const std::size_t> given() const { return {numbers.data(), count}; }

    friend bool operator==(const Diagnostic& a, const Diagnostic& b) {
        return a.kind == b.kind && std::ranges::equal(a.given(), b.given());
    }

    std::uint8_t kind;   // index into the parser's table of texts
    std::uint8_t count;  // numbers given: the first `count` of `numbers` (the rest are unset)
    std::array<std::size_t, max_numbers> numbers;
};

// Appends the text of `diagnostic`: `pattern` with each "{}" replaced by the next of its numbers
// in decimal, each "{code}" by the next number as three digits (a reply code as received, "012"),
// and each "{text}" by `piece` (a part of the message the parser keeps anyway, such as its
// enhanced code). Patterns hold no other braces.
void append_diagnostic(std::string& out, std::string_view pattern, const Diagnostic& diagnostic,
                       std::string_view piece = {});

// The diagnostics of one message; the storage only grows unless clear() is given a bound (as
// StringList's).
class DiagnosticList {
  public:
    template <class Kind, class... Numbers>
    void push_back(Kind kind, Numbers... numbers) {
        records_.emplace_back(static_cast<std::uint8_t>(kind),
                              static_cast<std::size_t>(numbers)...);
    }
    // Forgets every record, keeping the storage; with a bound, storage grown past `kept_bytes`
    // is given back.
    void clear() { records_.clear(); }
    void clear(std::size_t kept_bytes) { clear_within(records_, kept_bytes); }

    std::size_t size() const { return records_.size(); }
    bool empty() const { return records_.empty(); }
    std::span<const Diagnostic> views() const { return records_; }

  private:
    std::vector<Diagnostic> records_;
};

// Every record's text into `out`, whose strings are reused: `pattern_of(kind)` is the parser's
// table, `piece` its "{text}".
template <class PatternOf>
void assign_diagnostic_texts(std::vector<std::string>& out, std::span<const Diagnostic> records,
                             PatternOf pattern_of, std::string_view piece) {
    out.resize(records.size());
    for (std::size_t index = 0; index < records.size(); ++index) {
        out[index].clear();
        append_diagnostic(out[index], pattern_of(records[index].kind), records[index], piece);
    }
}

}  // namespace mh::proto
