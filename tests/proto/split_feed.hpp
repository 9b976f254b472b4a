#pragma once
// Streaming parsers must give the same result however the input is cut into reads. These
// helpers produce every cut the tests check: the whole input, two pieces split at each byte
// offset, and one byte at a time.

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace mh::test {

using Pieces = std::vector<std::string_view>;

inline std::vector<Pieces> splits_of(std::string_view input) {
    std::vector<Pieces> all;
    all.push_back({input});
    for (std::size_t cut = 1; cut < input.size(); ++cut) {
        all.push_back({input.substr(0, cut), input.substr(cut)});
    }
    Pieces bytes;
    for (std::size_t i = 0; i < input.size(); ++i) {
        bytes.push_back(input.substr(i, 1));
    }
    all.push_back(std::move(bytes));
    return all;
}

inline std::string describe(const Pieces& pieces) {
    std::string text = std::to_string(pieces.size()) + " piece(s), first of " +
                       std::to_string(pieces.empty() ? 0 : pieces.front().size()) + " octets";
    return text;
}

// Runs `check(pieces)` for every cut of `input`, each traced so a failure names its cut.
template <class Check>
void for_each_split(std::string_view input, Check&& check) {
    for (const Pieces& pieces : splits_of(input)) {
        SCOPED_TRACE(describe(pieces));
        check(pieces);
    }
}

}  // namespace mh::test
