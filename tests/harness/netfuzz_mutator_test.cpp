// The network fuzzer's mutator (harness/fuzz/mutator.hpp).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harness/fuzz/mutator.hpp"

namespace mh::harness::fuzz {
namespace {

namespace sc = scenario;

Conversation pop3_conversation(std::size_t account, const std::string& line) {
    Conversation conversation{
        sc::Protocol::pop3, "test", {Turn{Turn::Kind::send, line, {}}}, false};
    conversation.account = account;
    return conversation;
}

bool contains(const Conversation& conversation, const std::string& bytes) {
    for (const Turn& turn : conversation.turns) {
        if (turn.bytes.find(bytes) != std::string::npos) {
            return true;
        }
    }
    return false;
}

// A splice may carry a donor's login into the child: POP3 conversations of other accounts,
// which may be under way at the same time, are no donors (their maildrop lock, RFC 1939 8).
TEST(NetworkFuzzerMutator, SplicesOnlyFromConversationsOfTheSameAccount) {
    const Conversation parent = pop3_conversation(0, "STAT\r\n");
    const std::vector<Conversation> donors = {pop3_conversation(1, "USER other\r\n"),
                                              pop3_conversation(0, "USER mine\r\n"),
                                              pop3_conversation(2, "PASS other-pw\r\n")};
    Mutator mutator(7);
    int own = 0;
    for (int i = 0; i < 2000; ++i) {
        const Conversation child = mutator.mutate(parent, donors);
        EXPECT_EQ(child.account, 0u);
        EXPECT_FALSE(contains(child, "other")) << child.origin;
        own += contains(child, "USER mine") ? 1 : 0;
    }
    EXPECT_GT(own, 0);  // splices do happen
}

}  // namespace
}  // namespace mh::harness::fuzz
