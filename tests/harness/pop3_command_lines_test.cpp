// run::Pop3CommandLines: the runner's and the network fuzzer's view of which POP3 commands get
// a multi-line answer, whatever the writes that carry them.
#include <gtest/gtest.h>

#include <deque>
#include <string>

#include "harness/run/channel.hpp"

namespace {

using mh::harness::run::Pop3CommandLines;

std::deque<bool> bodies_of(std::initializer_list<std::string_view> writes) {
    Pop3CommandLines lines;
    std::deque<bool> bodies;
    for (std::string_view write : writes) {
        lines.put(write, bodies);
    }
    return bodies;
}

TEST(Pop3CommandLines, OneEntryPerWholeLine) {
    EXPECT_EQ(bodies_of({"CAPA\r\nNOOP\r\nLIST\r\nLIST 1\r\nRETR 1\r\nSTAT"}),
              (std::deque<bool>{true, false, true, false, true}));
}

TEST(Pop3CommandLines, ACommandSplitOverWritesIsOneCommand) {
    EXPECT_EQ(bodies_of({"CA", "PA\r", "\n"}), std::deque<bool>{true});
    EXPECT_EQ(bodies_of({"LIST", " 1\r\n"}), std::deque<bool>{false});
    EXPECT_EQ(bodies_of({"UIDL\r\nNO", "OP\r\n"}), (std::deque<bool>{true, false}));
}

TEST(Pop3CommandLines, ABareAuthListsMechanisms) {
    EXPECT_EQ(bodies_of({"AUTH\r\nAUTH \r\nAUTH PLAIN\r\n"}),
              (std::deque<bool>{true, true, false}));
}

TEST(Pop3CommandLines, AnArgumentFarBehindSpacesIsStillSeen) {
    EXPECT_EQ(bodies_of({"LIST" + std::string(500, ' ') + "1\r\n"}), std::deque<bool>{false});
    EXPECT_EQ(bodies_of({"LIST" + std::string(500, ' ') + "\r\n"}), std::deque<bool>{true});
}

TEST(Pop3CommandLines, VerbsAreCaseInsensitive) {
    EXPECT_EQ(bodies_of({"capa\r\nRetr 1\r\nlist 1\r\nuidl\r\n"}),
              (std::deque<bool>{true, true, false, true}));
}

TEST(Pop3CommandLines, AWrongArgumentCountIsReadAsItsVerb) {
    // The grammar refuses these (RFC 1939 5, 7), but a foreign server may still answer them as
    // the verb they name: RETR and TOP always with a body, LIST with one only when bare.
    EXPECT_EQ(bodies_of({"RETR\r\nTOP 1\r\nLIST 1 2\r\nCAPA x\r\nAUTH PLAIN a b\r\n"}),
              (std::deque<bool>{true, true, false, true, false}));
}

TEST(Pop3CommandLines, UnknownVerbsGetNoBody) {
    EXPECT_EQ(bodies_of({"RETRIEVE 1\r\nLISTX\r\nNOOP\r\n\r\n"}),
              (std::deque<bool>{false, false, false, false}));
}

TEST(Pop3CommandLines, ALineIsReadUpToItsFirstNul) {
    using namespace std::string_literals;
    EXPECT_EQ(bodies_of({"RETR 1\0x\r\nLIST\0 1\r\nNO\0OP\r\n"s}),
              (std::deque<bool>{true, true, false}));
}

TEST(Pop3CommandLines, ClearForgetsTheUnfinishedLine) {
    Pop3CommandLines lines;
    std::deque<bool> bodies;
    lines.put("NOOP", bodies);
    lines.clear();
    lines.put("CAPA\r\n", bodies);
    EXPECT_EQ(bodies, std::deque<bool>{true});
}

}  // namespace
