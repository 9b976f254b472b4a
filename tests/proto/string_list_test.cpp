// StringList, the parsers' storage of a message's strings: pieces joined, prefixes dropped,
// views that stay right when the buffer grows, and storage kept across clear().
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

TEST(StringList, JoinsPiecesAndDropsPrefixes) {
    StringList list;
    const std::string owned = "owned";
    list.push_back("line ", Decimal(12), " of ", owned, std::string_view("view"));
    list.push_back("2.1.0 text");
    list.remove_prefix(1, 6);
    EXPECT_EQ(strings(list.views()), (std::vector<std::string>{"line 12 of ownedview", "text"}));
    EXPECT_EQ(list[1], "text");
    EXPECT_EQ(list.size(), 2u);
}

// Strings added one at a time until the buffer has moved several times: every view, the
// shortened one included, still shows its string.
TEST(StringList, ViewsFollowTheBufferWhenItGrows) {
    StringList list;
    std::vector<std::string> expected;
    for (std::size_t i = 0; i < 200; ++i) {
        const std::string text = "x." + std::string(i, static_cast<char>('a' + i % 26));
        list.push_back(text);
        expected.push_back(text);
    }
    list.remove_prefix(0, 2);
    expected[0].erase(0, 2);
    EXPECT_EQ(strings(list.views()), expected);
}

TEST(StringList, ClearKeepsNothingButTheStorage) {
    StringList list;
    list.push_back("first");
    list.clear();
    EXPECT_TRUE(list.empty());
    EXPECT_TRUE(list.views().empty());
    list.push_back("second");
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
