// harness/fuzz/case_writer: a reproducer loads as a suite and sends exactly the bytes of the
// conversation, write by write (a finding may need the segmentation to happen again).
#include <gtest/gtest.h>

#include <string>
#include <variant>
#include <vector>

#include "harness/fuzz/case_writer.hpp"
#include "harness/run/wire.hpp"
#include "harness/scenario/suite_loader.hpp"

namespace {

namespace hf = mh::harness::fuzz;
namespace sc = mh::harness::scenario;

// The bytes of every write the reproducer's steps make.
std::vector<std::string> writes_in(const std::string& yaml) {
    const sc::SuiteLoad load = sc::parse_suite(yaml, "reproducer.yaml", ".");
    EXPECT_TRUE(load.errors.empty()) << load.errors.front().message << "\n" << yaml;
    std::vector<std::string> out;
    if (!load.suite) {
        return out;
    }
    for (const sc::Step& step : load.suite->cases.at(0).steps) {
        if (const auto* send = std::get_if<sc::Send>(&step.action)) {
            out.push_back(mh::harness::run::decode_escapes(std::get<sc::SendRaw>(*send).text));
        }
    }
    return out;
}

TEST(NetworkFuzzerCaseWriter, KeepsEachWriteOfASegmentedTurn) {
    hf::Conversation conversation;
    conversation.protocol = sc::Protocol::pop3;
    conversation.origin = "pop3-capa/listed+segmentation";
    conversation.turns.push_back({hf::Turn::Kind::send, "CAPA\r\nNOOP\r\n", {2, 2, 9, 40}});
    conversation.turns.push_back({hf::Turn::Kind::send, "it's \x01\xff\\\r\n", {}});
    hf::Execution execution;
    execution.predicted = {{"+OK"}, {"+OK", "+OK"}, {"-ERR"}, {"+OK"}};
    execution.model_closed = true;
    const hf::Verdict verdict{hf::Oracle::grammar, "CAPA", "a broken status line"};

    const hf::FindingCase reproducer =
        hf::reproducer_case(conversation, execution, verdict, sc::Duration(500));

    EXPECT_EQ(
        writes_in(reproducer.yaml),
        (std::vector<std::string>{"CA", "PA\r\nNOO", "P\r\n", "it's \x01\xff\\\r\n", "QUIT\r\n"}));
}

}  // namespace
