// Diagnostics as records (proto/common/diagnostic.hpp): the text is made from the parser's
// pattern only when read, and a list's storage is given back past its bound.
#include "proto/common/diagnostic.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mh::proto {
namespace {

enum class Kind : std::uint8_t { first, second };

TEST(Diagnostic, PlaceholdersTakeTheNumbersInOrderAndThePiece) {
    DiagnosticList list;
    list.push_back(Kind::second, 2, 7, 12, 512);
    ASSERT_EQ(list.size(), 1u);
    const Diagnostic& record = list.views()[0];
    EXPECT_EQ(record.kind, 1);
    std::string text;
    append_diagnostic(text, "line {} has code {code} and {code}, not {} ({text})", record, "x.y");
    EXPECT_EQ(text, "line 2 has code 007 and 012, not 512 (x.y)");
}

TEST(Diagnostic, TextWithoutPlaceholdersOrWithAStrayBraceIsKept) {
    DiagnosticList list;
    list.push_back(Kind::first);
    std::string text = "kept: ";
    append_diagnostic(text, "a { b {x} c", list.views()[0]);
    EXPECT_EQ(text, "kept: a { b {x} c");
}

TEST(Diagnostic, RecordsCompareByKindAndNumbers) {
    DiagnosticList a;
    DiagnosticList b;
    a.push_back(Kind::first, 3);
    b.push_back(Kind::first, 4);
    EXPECT_NE(a.views()[0], b.views()[0]);
    b.clear();
    b.push_back(Kind::first, 3);
    EXPECT_EQ(a.views()[0], b.views()[0]);
}

TEST(Diagnostic, TextsOfEveryRecordReuseTheStrings) {
    DiagnosticList list;
    list.push_back(Kind::first, 1);
    list.push_back(Kind::second, 2);
    std::vector<std::string> texts{"old text", "old", "a third that goes"};
    const auto pattern_of = [](std::uint8_t kind) -> std::string_view {
        return kind == 0 ? "first {}" : "second {} of {text}";
    };
    assign_diagnostic_texts(texts, list.views(), pattern_of, "it");
    EXPECT_EQ(texts, (std::vector<std::string>{"first 1", "second 2 of it"}));
}

TEST(Diagnostic, ClearGivesStorageBackOnlyPastTheBound) {
    DiagnosticList list;
    for (int i = 0; i < 100; ++i) {
        list.push_back(Kind::first, i);
    }
    list.clear(1 << 20);
    EXPECT_TRUE(list.empty());
    for (int i = 0; i < 100; ++i) {
        list.push_back(Kind::first, i);
    }
    list.clear(64);  // 100 records are more than 64 bytes: all of it goes
    list.push_back(Kind::second);
    EXPECT_EQ(list.size(), 1u);
}

}  // namespace
}  // namespace mh::proto
