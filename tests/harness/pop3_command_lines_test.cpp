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

TEST(Pop3CommandLines, ClearForgetsTheUnfinishedLine) {
    Pop3CommandLines lines;
    std::deque<bool> bodies;
    lines.put("NOOP", bodies);
    lines.clear();
    lines.put("CAPA\r\n", bodies);
    EXPECT_EQ(bodies, std::deque<bool>{true});
}

}  // namespace
