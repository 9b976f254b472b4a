// StringList, the parsers' storage of a message's strings: pieces joined, strings kept in place
// and copied as blocks, views that stay right when the buffer grows, and storage kept across
// clear().
#include "proto/common/string_list.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace mh::proto {
namespace {

std::vector<std::string> strings(std::span<const std::string_view> views) {
    return {views.begin(), views.end()};
}

TEST(StringList, JoinsPieces) {
    StringList list;
    const std::string owned = "owned";
    list.push_back("line ", Decimal(12), " of ", owned, std::string_view("view"));
    list.push_back("text");
    list.seal();
    EXPECT_EQ(strings(list.views()), (std::vector<std::string>{"line 12 of ownedview", "text"}));
    EXPECT_EQ(list[1], "text");
    EXPECT_EQ(list.size(), 2u);
}

// Strings kept in place, copied and kept in place again, from bytes that change after each
// copy_block() (as a parser's caller reuses its buffer): every string is what it was when pushed.
TEST(StringList, StringsKeptInPlaceSurviveTheirBytes) {
    StringList list;
    std::string bytes = "250-first\r\n250-second\r\n.third\r\n";
    list.push_back_in_place(std::string_view(bytes).substr(0, 9));    // 250-first
    list.push_back_in_place(std::string_view(bytes).substr(11, 10));  // 250-second: gap of 2
    list.push_back_in_place(std::string_view(bytes).substr(24, 5));   // third: gap of 3
    list.push_back("copied");
    list.push_back_in_place(std::string_view(bytes).substr(4, 5));  // first: behind the block
    list.copy_block();
    bytes.assign(bytes.size(), '#');
    const std::string far = "near" + std::string(StringList::max_gap + 1, '-') + "far";
    list.push_back_in_place(std::string_view(far).substr(0, 4));
    list.push_back_in_place(std::string_view(far).substr(far.size() - 3));  // a gap too wide
    list.seal();
    EXPECT_EQ(strings(list.views()), (std::vector<std::string>{"250-first", "250-second", "third",
                                                               "copied", "first", "near", "far"}));
}

// What seal() copies is no more than the strings and their gaps: a string far from the last
// one (a line whose end was dropped) starts a new block instead of copying what lies between.
TEST(StringList, BlocksCopyOnlyNarrowGaps) {
    StringList list;
    const std::string bytes = "a" + std::string(1 << 20, 'x') + "b";
    list.push_back_in_place(std::string_view(bytes).substr(0, 1));
    list.push_back_in_place(std::string_view(bytes).substr(bytes.size() - 1));
    list.seal();
    EXPECT_EQ(strings(list.views()), (std::vector<std::string>{"a", "b"}));
    EXPECT_LT(list.storage(), std::size_t{1} << 16);
}

// Strings added one at a time until the buffer has moved several times: every view still shows
// its string.
TEST(StringList, ViewsFollowTheBufferWhenItGrows) {
    StringList list;
    std::vector<std::string> expected;
    for (std::size_t i = 0; i < 200; ++i) {
        const std::string text = "x." + std::string(i, static_cast<char>('a' + i % 26));
        list.push_back(text);
        expected.push_back(text);
    }
    list.seal();
    EXPECT_EQ(strings(list.views()), expected);
}

TEST(StringList, ClearKeepsNothingButTheStorage) {
    StringList list;
    list.push_back("first");
    list.clear();
    EXPECT_TRUE(list.empty());
    EXPECT_TRUE(list.views().empty());
    list.push_back("second");
    list.seal();
    EXPECT_EQ(strings(list.views()), std::vector<std::string>{"second"});
}

// A bounded clear() gives back storage past the bound and keeps storage within it.
TEST(StringList, BoundedClearGivesBackLargeStorage) {
    StringList list;
    list.push_back(std::string(1 << 20, 'x'));
    const std::size_t large = list.storage();
    EXPECT_GE(large, std::size_t{1} << 20);
    list.clear(large);
    EXPECT_EQ(list.storage(), large);  // within the bound: kept
    list.push_back(std::string(1 << 20, 'y'));
    list.clear(StringList::kept_between_copies);
    EXPECT_LT(list.storage(), StringList::kept_between_copies);
    EXPECT_TRUE(list.empty());
    list.push_back("again");
    list.seal();
    EXPECT_EQ(list[0], "again");
}

TEST(Decimal, Numbers) {
    EXPECT_EQ(std::string_view(Decimal(0)), "0");
    EXPECT_EQ(std::string_view(Decimal(421)), "421");
    EXPECT_EQ(std::string_view(Decimal(std::size_t{18446744073709551615U})),
              "18446744073709551615");
}

}  // namespace
}  // namespace mh::proto
