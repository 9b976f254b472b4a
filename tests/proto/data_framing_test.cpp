// DATA and BDAT framing: end-of-data only on CRLF.CRLF (RFC 5321 4.1.1.4), dot-unstuffing
// (4.5.2), the SMTP smuggling sequences, size limits, BDAT chunk counts (RFC 3030 2).

#include "proto/smtp/data_framing.hpp"

#include <gtest/gtest.h>

#include "split_feed.hpp"

using namespace std::string_literals;

namespace mh::proto::smtp {
namespace {

struct DataOutcome {
    bool done = false;
    std::size_t consumed = 0;  // octets of the input the reader took
    std::string content;
    ContentFlags flags;
    bool overflowed = false;
};

DataOutcome read_data(const test::Pieces& pieces, std::size_t max_size, std::size_t line_limit) {
    DataReader reader(max_size, line_limit);
    DataOutcome outcome;
    for (std::string_view piece : pieces) {
        if (reader.done()) {
            break;
        }
        outcome.consumed += reader.put(piece);
    }
    outcome.done = reader.done();
    outcome.flags = reader.content().flags();
    outcome.overflowed = reader.content().overflowed();
    outcome.content = reader.take();
    return outcome;
}

// Reads `wire` at every cut; all cuts must agree. Returns the outcome.
DataOutcome read_every_split(std::string_view wire, std::size_t max_size = 1 << 20,
                             std::size_t line_limit = 1000) {
    std::optional<DataOutcome> first;
    test::for_each_split(wire, [&](const test::Pieces& pieces) {
        const DataOutcome outcome = read_data(pieces, max_size, line_limit);
        if (!first) {
            first = outcome;
            return;
        }
        EXPECT_EQ(outcome.done, first->done);
        EXPECT_EQ(outcome.consumed, first->consumed);
        EXPECT_EQ(outcome.content, first->content);
        EXPECT_EQ(outcome.flags.bare_cr, first->flags.bare_cr);
        EXPECT_EQ(outcome.flags.bare_lf, first->flags.bare_lf);
        EXPECT_EQ(outcome.flags.nul, first->flags.nul);
        EXPECT_EQ(outcome.flags.long_line, first->flags.long_line);
        EXPECT_EQ(outcome.overflowed, first->overflowed);
    });
    return *first;
}

TEST(DataReader, EndsOnlyAtCrlfDotCrlf) {
    const std::string wire = "Subject: hi\r\n\r\nbody\r\n.\r\nQUIT\r\n";
    const auto outcome = read_every_split(wire);
    EXPECT_TRUE(outcome.done);
    EXPECT_EQ(outcome.content, "Subject: hi\r\n\r\nbody\r\n");
    EXPECT_EQ(outcome.consumed, wire.size() - 6);  // "QUIT\r\n" belongs to the next command
    EXPECT_TRUE(outcome.flags.line_ends_clean());
}

TEST(DataReader, StartOfDataCountsAsAfterCrlf) {
    const auto outcome = read_every_split(".\r\nNOOP\r\n");
    EXPECT_TRUE(outcome.done);
    EXPECT_EQ(outcome.content, "");
    EXPECT_EQ(outcome.consumed, 3U);
}

TEST(DataReader, Unstuffing) {
    // RFC 5321 4.5.2: a leading dot of a line with more on it is deleted.
    const auto outcome = read_every_split("..\r\n...x\r\n.y\r\nz.\r\n.\r\n");
    EXPECT_TRUE(outcome.done);
    EXPECT_EQ(outcome.content, ".\r\n..x\r\ny\r\nz.\r\n");
}

TEST(DataReader, StuffAndUnstuffRoundTrip) {
    const std::string content = ".starts with a dot\r\n..two\r\n.\r\nmid . dot\r\n.";
    const auto outcome = read_every_split(frame_data(content));
    EXPECT_TRUE(outcome.done);
    EXPECT_EQ(outcome.content, content + "\r\n");
    EXPECT_EQ(frame_data(""), ".\r\n");
    EXPECT_EQ(frame_data("a\r\n"), "a\r\n.\r\n");
    EXPECT_EQ(frame_data(".\r\n"), "..\r\n.\r\n");
}

TEST(DataReader, OnlyADotAfterCrlfStartsALine) {
    // After a bare LF or CR, or after a stuffing dot, a dot is content: neither stuffing nor end.
    EXPECT_EQ(read_every_split("x\n.\r\n.\r\n").content, "x\n.\r\n");
    EXPECT_EQ(read_every_split("x\r.\r\n.\r\n").content, "x\r.\r\n");
    EXPECT_EQ(read_every_split("..\r\n.\r\n").content, ".\r\n");
    EXPECT_EQ(read_every_split(".\r.\r\n.\r\n").content, "\r.\r\n");
    EXPECT_EQ(read_every_split("a.b\r\n\r\n..\r\n.\r\n").content, "a.b\r\n\r\n.\r\n");
}

TEST(DataReader, ContentGoesIntoTheStorageGiven) {
    std::string storage = "from an earlier message";
    storage.reserve(4096);
    const char* const buffer = storage.data();
    DataReader reader(1 << 20, 1000, std::move(storage));
    EXPECT_EQ(reader.put("a\r\n.\r\n"), 6U);
    ASSERT_TRUE(reader.done());
    const std::string content = reader.take();
    EXPECT_EQ(content, "a\r\n");
    EXPECT_EQ(content.data(), buffer);  // no new allocation
}

TEST(FrameData, AppendsToTheBufferGiven) {
    std::string out = "MAIL FROM:<a@b>\r\n";
    frame_data(".x\r\ny", out);
    EXPECT_EQ(out, "MAIL FROM:<a@b>\r\n..x\r\ny\r\n.\r\n");
    // A dot after a bare LF starts no line, so it is not doubled (the reader keeps it as is).
    EXPECT_EQ(frame_data("a\n.b"), "a\n.b\r\n.\r\n");
}

TEST(FrameData, DoublesEveryDotThatStartsALine) {
    EXPECT_EQ(frame_data(""), ".\r\n");
    EXPECT_EQ(frame_data("."), "..\r\n.\r\n");
    EXPECT_EQ(frame_data("\r\n."), "\r\n..\r\n.\r\n");
    EXPECT_EQ(frame_data("\n."), "\n.\r\n.\r\n");  // a bare LF at the start ends no line
    EXPECT_EQ(frame_data("\r."), "\r.\r\n.\r\n");
    EXPECT_EQ(frame_data("a.b\r\n.\r\n..\r\n"), "a.b\r\n..\r\n...\r\n.\r\n");
    EXPECT_EQ(frame_data("x"), "x\r\n.\r\n");
    EXPECT_EQ(frame_data("\r"), "\r\r\n.\r\n");
    EXPECT_EQ(frame_data("\n"), "\n\r\n.\r\n");
}

// The sequences published by the 2023 SMTP smuggling research: none ends the data, so the
// commands after them stay message content and the real end comes later.
const std::vector<std::string> smuggling_sequences = {
    "\n.\n"s,       "\n.\r"s,   "\r.\n"s,   "\r.\r"s,       "\n.\r\n"s,     "\r.\r\n"s,
    "\r\n\0.\r\n"s, "\r\n.\n"s, "\r\n.\r"s, "\r\n.\0\r\n"s, "\r\n.\r\r\n"s, "\r\r\n.\r\r\n"s,
};

TEST(DataReader, SmugglingSequencesNeverEndData) {
    for (const std::string& sequence : smuggling_sequences) {
        std::string printable;
        for (char c : sequence) {
            printable += c == '\r'   ? "\\r"
                         : c == '\n' ? "\\n"
                         : c == '\0' ? "\\0"
                                     : std::string(1, c);
        }
        SCOPED_TRACE(printable);
        const std::string smuggled =
            "MAIL FROM:<evil@attacker.example>\r\nRCPT TO:<victim@example.test>\r\nDATA\r\n"
            "Subject: smuggled\r\n\r\nhi\r\n";
        const std::string wire = "Subject: first\r\n\r\nbody" + sequence + smuggled + ".\r\n";
        const auto outcome = read_every_split(wire + "QUIT\r\n");
        ASSERT_TRUE(outcome.done);
        EXPECT_EQ(outcome.consumed, wire.size());
        EXPECT_NE(outcome.content.find("MAIL FROM:<evil@attacker.example>"), std::string::npos);
        EXPECT_FALSE(outcome.flags.line_ends_clean());
    }
}

TEST(DataReader, FlagsBareLineEndsAndNul) {
    EXPECT_TRUE(read_every_split("a\nb\r\n.\r\n").flags.bare_lf);
    EXPECT_FALSE(read_every_split("a\nb\r\n.\r\n").flags.bare_cr);
    EXPECT_TRUE(read_every_split("a\rb\r\n.\r\n").flags.bare_cr);
    EXPECT_TRUE(read_every_split("a\r\r\n.\r\n").flags.bare_cr);
    EXPECT_TRUE(read_every_split("a\0b\r\n.\r\n"s).flags.nul);
    EXPECT_TRUE(read_every_split("a\r\n.\rb\r\n.\r\n").flags.bare_cr);
    EXPECT_TRUE(read_every_split("a\r\nb\r\n.\r\n").flags.line_ends_clean());
}

TEST(DataReader, KeepsReadingPastTheSizeLimit) {
    // Over the limit the content is dropped, but end-of-data is still found (552 then).
    const std::string body(5000, 'x');
    const auto outcome = read_every_split(body + "\r\n.\r\nQUIT\r\n", 1000, 1 << 20);
    EXPECT_TRUE(outcome.done);
    EXPECT_TRUE(outcome.overflowed);
    EXPECT_TRUE(outcome.content.empty());
    EXPECT_EQ(outcome.consumed, body.size() + 5);
}

TEST(DataReader, TextLineLimitCountsCrlf) {
    // RFC 5321 4.5.3.1.6: 1000 octets including CRLF.
    const std::string fits(998, 'x');
    EXPECT_FALSE(read_every_split(fits + "\r\n.\r\n").flags.long_line);
    EXPECT_TRUE(read_every_split(fits + "y\r\n.\r\n").flags.long_line);
}

TEST(DataReader, BoundedMemoryOverHugeInput) {
    DataReader reader(4096, 1000);
    const std::string block(1 << 16, 'a');
    for (int i = 0; i < 256; ++i) {  // 16 MiB
        ASSERT_EQ(reader.put(block), block.size());
    }
    EXPECT_TRUE(reader.content().overflowed());
    EXPECT_EQ(reader.content().total(), 256U * block.size());
    EXPECT_EQ(reader.put("\r\n.\r\n"), 5U);
    EXPECT_TRUE(reader.done());
    EXPECT_TRUE(reader.take().empty());
}

TEST(ChunkReader, TakesExactlyTheChunkSize) {
    // RFC 3030 2: exactly bdat-size octets, which may hold anything, even "\r\n.\r\n".
    const std::string chunk = "a\r\n.\r\nMAIL FROM:<x@y.example>\r\n";
    const std::string wire = chunk + "BDAT 0 LAST\r\n";
    test::for_each_split(wire, [&](const test::Pieces& pieces) {
        ChunkReader reader(chunk.size());
        ContentSink sink(1 << 20, 1000);
        std::size_t consumed = 0;
        for (std::string_view piece : pieces) {
            consumed += reader.put(piece, sink);
        }
        EXPECT_TRUE(reader.done());
        EXPECT_EQ(consumed, chunk.size());
        EXPECT_EQ(sink.take(), chunk);
    });
}

TEST(ChunkReader, SkipDiscards) {
    ChunkReader reader(10);
    EXPECT_EQ(reader.skip("12345"), 5U);
    EXPECT_EQ(reader.remaining(), 5U);
    EXPECT_EQ(reader.skip("67890abc"), 5U);
    EXPECT_TRUE(reader.done());
    ChunkReader empty(0);
    EXPECT_TRUE(empty.done());
}

TEST(ContentSink, FlagsAcrossAppends) {
    ContentSink sink(100, 1000);
    sink.append("a\r");
    sink.append("\nb\r");
    sink.append("\n");
    EXPECT_FALSE(sink.flags().bare_cr);  // CR and LF of one CRLF in different appends
    sink.append("c\r");
    EXPECT_TRUE(sink.flags().bare_cr);  // nothing follows the last CR yet: bare for now
    sink.append("d");
    EXPECT_TRUE(sink.flags().bare_cr);
    sink.append(std::string(200, 'x'));
    EXPECT_TRUE(sink.overflowed());
    EXPECT_EQ(sink.total(), 209U);
}

TEST(ContentSink, LongLineAcrossAppends) {
    ContentSink sink(100, 10);  // a line of at most 10 octets, CRLF included
    sink.append("12345");
    sink.append("678\r");
    sink.append("\nabcde");
    EXPECT_FALSE(sink.flags().long_line);  // "12345678\r\n" is 10
    sink.append("fghijk");
    EXPECT_TRUE(sink.flags().long_line);  // an unfinished line of 11 is long already
}

TEST(ContentSink, AnOverflowedSinkKeepsNothingToReport) {
    ContentSink sink(8, 1000);
    sink.append("a\rb\n\0"s);
    EXPECT_FALSE(sink.flags().line_ends_clean());
    sink.append("123456");
    EXPECT_TRUE(sink.overflowed());
    const ContentFlags flags = sink.flags();  // the content is dropped: the caller refuses first
    EXPECT_TRUE(flags.line_ends_clean());
    EXPECT_FALSE(flags.long_line);
    EXPECT_TRUE(sink.take().empty());
}

}  // namespace
}  // namespace mh::proto::smtp
