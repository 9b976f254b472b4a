// BoundedLineReader, the reply parsers' line splitter: lines in place or gathered across reads,
// CRLF and bare LF, a CR that ends one read and an LF that starts the next, the stored limit,
// and the partial line at end of input.
#include "proto/common/bounded_line.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace mh::proto {
namespace {

TEST(BoundedLineReader, LinesWithinOneReadAreInPlace) {
    BoundedLineReader reader(100);
    const std::string bytes = "first\r\nsecond\nthird";
    std::string_view rest = bytes;
    ASSERT_TRUE(reader.read(rest));
    EXPECT_EQ(reader.line().text, "first");
    EXPECT_EQ(reader.line().text.data(), bytes.data());
    EXPECT_EQ(reader.line().length, 5U);
    EXPECT_EQ(reader.line().flags, 0);
    ASSERT_TRUE(reader.read(rest));
    EXPECT_EQ(reader.line().text, "second");
    EXPECT_EQ(reader.line().flags, ReceivedLine::bare_lf);
    EXPECT_FALSE(reader.read(rest));
    EXPECT_TRUE(rest.empty());
    EXPECT_TRUE(reader.has_partial());
    ASSERT_TRUE(reader.read_rest());
    EXPECT_EQ(reader.line().text, "third");
    EXPECT_EQ(reader.line().flags, ReceivedLine::copied | ReceivedLine::unterminated);
    EXPECT_FALSE(reader.has_partial());
    EXPECT_FALSE(reader.read_rest());
}

// A CR at the end of one read and the LF at the start of the next are one CRLF; a CR without
// an LF after it is text, also at end of input.
TEST(BoundedLineReader, CarriageReturnAcrossReads) {
    BoundedLineReader reader(100);
    std::string_view first = "ab\r";
    EXPECT_FALSE(reader.read(first));
    std::string_view second = "\ncd\r";
    ASSERT_TRUE(reader.read(second));
    EXPECT_EQ(reader.line().text, "ab");
    EXPECT_EQ(reader.line().length, 2U);
    EXPECT_EQ(reader.line().flags, ReceivedLine::copied);
    EXPECT_FALSE(reader.read(second));
    ASSERT_TRUE(reader.read_rest());
    EXPECT_EQ(reader.line().text, "cd\r");
    EXPECT_EQ(reader.line().flags, ReceivedLine::copied | ReceivedLine::unterminated);
}

// Past the limit a line is counted, not kept, in place and gathered alike; a CR just past the
// limit is still the line end, not a kept octet.
TEST(BoundedLineReader, StoredLimit) {
    BoundedLineReader reader(4);
    std::string_view in_place = "abcdef\r\nabcd\r\n";
    ASSERT_TRUE(reader.read(in_place));
    EXPECT_EQ(reader.line().text, "abcd");
    EXPECT_EQ(reader.line().length, 6U);
    EXPECT_TRUE(reader.line().truncated());
    ASSERT_TRUE(reader.read(in_place));
    EXPECT_EQ(reader.line().text, "abcd");
    EXPECT_FALSE(reader.line().truncated());
    for (const std::string_view piece : {"ab", "cdef", "gh\r"}) {
        std::string_view rest = piece;
        EXPECT_FALSE(reader.read(rest));
    }
    std::string_view end = "\n";
    ASSERT_TRUE(reader.read(end));
    EXPECT_EQ(reader.line().text, "abcd");
    EXPECT_EQ(reader.line().length, 8U);
    EXPECT_EQ(reader.line().flags, ReceivedLine::copied);
}

TEST(BoundedLineReader, ResetForgetsAPartialLine) {
    BoundedLineReader reader(100);
    std::string_view partial = "half";
    EXPECT_FALSE(reader.read(partial));
    reader.reset();
    EXPECT_FALSE(reader.has_partial());
    std::string_view whole = "new\r\n";
    ASSERT_TRUE(reader.read(whole));
    EXPECT_EQ(reader.line().text, "new");
    EXPECT_EQ(reader.line().flags, 0);
}

}  // namespace
}  // namespace mh::proto
