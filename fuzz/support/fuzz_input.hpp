#pragma once
// Conventions shared by every fuzz target (docs/fuzzing.md):
//  - byte 0xFF in an input marks a boundary between two put() calls (a TCP segment boundary for
//    parsers, a client turn for session machines). UTF-8 never contains 0xFF, so SMTPUTF8 and
//    8BITMIME content stays expressible while the fuzzer chooses the split points freely.
//  - a broken invariant ends the process through mh::fuzz::require(), which libFuzzer reports as
//    a crash and which fails the corpus replay in ctest just the same.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace mh::fuzz {

inline constexpr char turn_separator = '\xff';

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

// The input cut at every 0xFF (separators dropped; empty pieces kept: they are empty writes),
// into `turns`, which is cleared first: a target may keep one vector for every input.
inline void split_turns(std::string_view input, std::vector<std::string_view>& turns) {
    turns.clear();
    // memchr and pointers, not find() and substr(): out-of-line calls for every turn of every
    // input in the sanitizer build.
    const char* start = input.data();
    const char* const end = start + input.size();
    while (start != end) {
        const void* separator =
            std::memchr(start, turn_separator, static_cast<std::size_t>(end - start));
        if (separator == nullptr) {
            break;
        }
        const char* const at = static_cast<const char*>(separator);
        turns.emplace_back(start, static_cast<std::size_t>(at - start));
        start = at + 1;
    }
    turns.emplace_back(start, static_cast<std::size_t>(end - start));
}

inline std::vector<std::string_view> split_turns(std::string_view input) {
    std::vector<std::string_view> turns;
    split_turns(input, turns);
    return turns;
}

// The turns one after the other, into `out` (cleared first).
inline void joined(const std::vector<std::string_view>& turns, std::string& out) {
    out.clear();
    for (const auto turn : turns) {
        out.append(turn);
    }
}

inline std::string joined(const std::vector<std::string_view>& turns) {
    std::string out;
    joined(turns, out);
    return out;
}

// The input without its turn separators: `input` itself when it has none, else its turns joined
// into `storage` (which the caller keeps across inputs, so that it only grows).
inline std::string_view unsplit(std::string_view input, const std::vector<std::string_view>& turns,
                                std::string& storage) {
    if (turns.size() <= 1) {
        return input;
    }
    joined(turns, storage);
    return storage;
}

// The input cut at every 0xFF like split_turns (empty pieces kept), together with the input
// without its separators, in one pass over the octets and without a call per turn: the stream
// targets' inputs hold about one separator in six octets, and a memchr, a vector append and a
// string append per turn cost more than this loop. Turns are views into the text without
// separators. A target keeps one for the process: its buffers only grow.
class Turns {
  public:
    // Not ASan-instrumented: every index is within the sizes set at its start, and this is the
    // harness's copy of the input, not code under test (whose every access ASan still checks).
    // The checks of its three accesses an octet were about 3 ns an octet, a tenth of
    // fuzz_smtp_bdat's CPU in a 60 s campaign (inputs of several hundred octets).
    __attribute__((no_sanitize("address"))) void split(std::string_view input) {
        if (text_.size() < input.size()) {
            text_.resize(input.size());
        }
        if (bounds_.size() < input.size() + 2) {  // a separator per octet: input.size() + 1 turns
            bounds_.resize(input.size() + 2);
        }
        char* const text = text_.data();
        std::size_t* const bounds = bounds_.data();
        std::size_t length = 0;
        std::size_t turns = 0;
        bounds[0] = 0;
        // Without branches: every octet is copied and its offset noted as where a turn would
        // end; a separator does not advance the text (the next octet overwrites it) but does
        // advance the turns (the offset noted stays).
        for (const char octet : input) {
            const bool separator = octet == turn_separator;
            text[length] = octet;
            bounds[turns + 1] = length;
            length += static_cast<std::size_t>(!separator);
            turns += static_cast<std::size_t>(separator);
        }
        bounds[turns + 1] = length;
        turns_ = turns + 1;
        length_ = length;
    }

    // The input without its separators.
    std::string_view whole() const { return {text_.data(), length_}; }
    // Calls `f` with each turn in order.
    template <typename F>
    void for_each(F f) const {
        const char* const text = text_.data();
        const std::size_t* const bounds = bounds_.data();
        for (std::size_t i = 0; i < turns_; ++i) {
            f(std::string_view(text + bounds[i], bounds[i + 1] - bounds[i]));
        }
    }

  private:
    std::string text_;
    std::vector<std::size_t> bounds_;  // turn i is text_[bounds_[i], bounds_[i + 1])
    std::size_t turns_ = 0;
    std::size_t length_ = 0;
};

// Where the first CRLF at or after `from` starts, or npos. The targets' models cut their input
// into lines with this: memchr for the LF, where string_view::find("\r\n") compares with memcmp,
// which goes through ASan's interceptor and libFuzzer's memcmp hook on every line.
inline std::size_t find_crlf(std::string_view text, std::size_t from) {
    for (std::size_t pos = from; pos < text.size();) {
        const void* lf = std::memchr(text.data() + pos, '\n', text.size() - pos);
        if (lf == nullptr) {
            break;
        }
        const auto at = static_cast<std::size_t>(static_cast<const char*>(lf) - text.data());
        if (at > from && text[at - 1] == '\r') {
            return at - 1;
        }
        pos = at + 1;
    }
    return std::string_view::npos;
}

// Aborts with the broken invariant's description: the replay and libFuzzer both see a crash.
inline void require(bool holds, const char* invariant) {
    if (!holds) {
        std::fprintf(stderr, "fuzz invariant broken: %s\n", invariant);
        std::abort();
    }
}

}  // namespace mh::fuzz
