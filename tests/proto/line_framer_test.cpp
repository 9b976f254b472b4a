// LineFramer: RFC 5321 4.5.3.1 line limits, bare line ends (2.3.8), bounded memory.

#include "proto/common/line_framer.hpp"

#include <gtest/gtest.h>

#include "split_feed.hpp"

using namespace std::string_literals;

namespace mh::proto {
namespace {

std::vector<FramedLine> frame(LineFramer& framer, const test::Pieces& pieces) {
    std::vector<FramedLine> lines;
    for (std::string_view piece : pieces) {
        while (!piece.empty()) {
            piece.remove_prefix(framer.put(piece));
            if (framer.has_line()) {
                lines.push_back(framer.take());
            }
        }
    }
    return lines;
}

std::vector<FramedLine> frame_all_splits(std::string_view input, std::size_t limit) {
    std::vector<FramedLine> first;
    bool have_first = false;
    test::for_each_split(input, [&](const test::Pieces& pieces) {
        LineFramer framer(limit);
        auto lines = frame(framer, pieces);
        if (!have_first) {
            first = lines;
            have_first = true;
            return;
        }
        ASSERT_EQ(lines.size(), first.size());
        for (std::size_t i = 0; i < lines.size(); ++i) {
            EXPECT_EQ(lines[i].text, first[i].text);
            EXPECT_EQ(lines[i].too_long, first[i].too_long);
            EXPECT_EQ(lines[i].bare_lf, first[i].bare_lf);
            EXPECT_EQ(lines[i].bare_cr, first[i].bare_cr);
            EXPECT_EQ(lines[i].nul, first[i].nul);
        }
    });
    return first;
}

TEST(LineFramer, SplitsCrlfLines) {
    const auto lines = frame_all_splits("EHLO a.example\r\nNOOP\r\n\r\n", 512);
    ASSERT_EQ(lines.size(), 3U);
    EXPECT_EQ(lines[0].text, "EHLO a.example");
    EXPECT_EQ(lines[1].text, "NOOP");
    EXPECT_EQ(lines[2].text, "");
    for (const auto& line : lines) {
        EXPECT_FALSE(line.bare_lf || line.bare_cr || line.too_long || line.nul);
    }
}

TEST(LineFramer, OnlyCrlfEndsALine) {
    // RFC 5321 2.3.8: CR and LF only as the CRLF pair. A bare LF or CR stays inside the line,
    // so "NOOP<LF>QUIT" is one (refused) line, never two commands.
    const auto lines = frame_all_splits("NOOP\nQUIT\r\nNO\rOP\r\nNOOP\r\r\nN\0P\r\n\n\r\n"s, 512);
    ASSERT_EQ(lines.size(), 5U);
    EXPECT_EQ(lines[0].text, "NOOP\nQUIT");
    EXPECT_TRUE(lines[0].bare_lf);
    EXPECT_FALSE(lines[0].bare_cr);
    EXPECT_EQ(lines[1].text, "NO\rOP");
    EXPECT_TRUE(lines[1].bare_cr);
    EXPECT_FALSE(lines[1].bare_lf);
    EXPECT_EQ(lines[2].text, "NOOP\r");  // the first of two CRs is bare
    EXPECT_TRUE(lines[2].bare_cr);
    EXPECT_EQ(lines[3].text, "N\0P"s);
    EXPECT_TRUE(lines[3].nul);
    EXPECT_EQ(lines[4].text, "\n");
    EXPECT_TRUE(lines[4].bare_lf);
}

TEST(LineFramer, CrNextToABareLf) {
    // put() cuts a line at every LF: a CR just after a bare LF starts the next piece, a CR just
    // before it ends the previous one; both are bare, whatever the segmentation.
    const auto lines = frame_all_splits("\rA\n\r\nB\n\rC\r\nD\r\n\n\r\n"s, 512);
    ASSERT_EQ(lines.size(), 4U);
    EXPECT_EQ(lines[0].text, "\rA\n");
    EXPECT_TRUE(lines[0].bare_cr);
    EXPECT_TRUE(lines[0].bare_lf);
    EXPECT_EQ(lines[1].text, "B\n\rC");
    EXPECT_TRUE(lines[1].bare_cr);
    EXPECT_TRUE(lines[1].bare_lf);
    EXPECT_EQ(lines[2].text, "D");
    EXPECT_FALSE(lines[2].bare_cr);
    EXPECT_FALSE(lines[2].bare_lf);
    EXPECT_EQ(lines[3].text, "\n");
    EXPECT_FALSE(lines[3].bare_cr);
    EXPECT_TRUE(lines[3].bare_lf);
}

TEST(LineFramer, BareLfAloneEndsNothing) {
    LineFramer framer(512);
    EXPECT_EQ(framer.put("NOOP\n"), 5U);
    EXPECT_FALSE(framer.has_line());
    EXPECT_EQ(framer.put("\r\n"), 2U);
    ASSERT_TRUE(framer.has_line());
    EXPECT_EQ(framer.take().text, "NOOP\n");
}

TEST(LineFramer, LimitCountsTheCrlf) {
    // RFC 5321 4.5.3.1.4: 512 octets including CRLF is the longest command line.
    const std::string fits = std::string(510, 'a') + "\r\n";
    const std::string over = std::string(511, 'a') + "\r\n";
    const auto lines = frame_all_splits(fits + over + "QUIT\r\n", 512);
    ASSERT_EQ(lines.size(), 3U);
    EXPECT_FALSE(lines[0].too_long);
    EXPECT_EQ(lines[0].text.size(), 510U);
    EXPECT_TRUE(lines[1].too_long);
    EXPECT_TRUE(lines[1].text.empty());
    EXPECT_EQ(lines[2].text, "QUIT");  // the stream resumes after the over-long line
}

// A line over the limit keeps no text, yet reports what it held, before the limit and after it.
TEST(LineFramer, OverLongLineReportsWhatItHeld) {
    const std::string input = "a\rb" + std::string(14, 'x') + "\r\n" + std::string(16, 'x') +
                              "\r\0\r\n"s + std::string(8, 'x') + "\r\nok\r\n";
    const auto lines = frame_all_splits(input, 16);
    ASSERT_EQ(lines.size(), 4U);
    EXPECT_TRUE(lines[0].too_long);
    EXPECT_TRUE(lines[0].bare_cr);  // in the octets kept until the limit was passed
    EXPECT_FALSE(lines[0].nul);
    EXPECT_TRUE(lines[1].too_long);
    EXPECT_TRUE(lines[1].bare_cr);  // past the limit
    EXPECT_TRUE(lines[1].nul);
    EXPECT_FALSE(lines[2].too_long);
    EXPECT_FALSE(lines[2].bare_cr || lines[2].nul || lines[2].bare_lf);
    EXPECT_EQ(lines[3].text, "ok");
}

TEST(LineFramer, MemoryStaysBoundedOnAnEndlessLine) {
    LineFramer framer(1000);
    const std::string block(64 * 1024, 'x');
    for (int i = 0; i < 64; ++i) {
        ASSERT_EQ(framer.put(block), block.size());
    }
    EXPECT_FALSE(framer.has_line());
    EXPECT_EQ(framer.pending(), 64U * block.size());
    EXPECT_EQ(framer.put("\r\nNOOP\r\n"), 2U);
    const auto line = framer.take();
    EXPECT_TRUE(line.too_long);
    EXPECT_TRUE(line.text.empty());
}

TEST(LineFramer, StopsAfterEachLine) {
    LineFramer framer(512);
    EXPECT_EQ(framer.put("A\r\nB\r\n"), 3U);
    EXPECT_EQ(framer.put("B\r\n"), 0U);  // the finished line must be taken first
    EXPECT_EQ(framer.take().text, "A");
    EXPECT_EQ(framer.put("B\r\n"), 3U);
    EXPECT_EQ(framer.take().text, "B");
}

TEST(LineFramer, ResetDropsAPartialLine) {
    LineFramer framer(512);
    framer.put("MAIL FROM:<x");
    framer.reset();
    framer.put("NOOP\r\n");
    EXPECT_EQ(framer.take().text, "NOOP");
}

// line() shows the finished line in place, as take() would return it, and reset() goes on.
TEST(LineFramer, LineInPlaceMatchesTake) {
    const std::string input =
        "MAIL FROM:<a@example.test>\r\nA\rB\nC\0D\r\n"s + std::string(600, 'x') + "\r\n\r\n";
    LineFramer taking(512);
    const auto expected = frame(taking, {input});
    ASSERT_EQ(expected.size(), 4U);
    LineFramer framer(512);
    std::size_t index = 0;
    for (std::string_view rest = input; !rest.empty();) {
        rest.remove_prefix(framer.put(rest));
        if (framer.has_line()) {
            ASSERT_LT(index, expected.size());
            const FramedLineView line = framer.line();
            const FramedLine& want = expected[index++];
            EXPECT_EQ(line.text, want.text);
            EXPECT_EQ(line.too_long, want.too_long);
            EXPECT_EQ(line.bare_lf, want.bare_lf);
            EXPECT_EQ(line.bare_cr, want.bare_cr);
            EXPECT_EQ(line.nul, want.nul);
            framer.reset();
        }
    }
    EXPECT_EQ(index, expected.size());
}

}  // namespace
}  // namespace mh::proto
