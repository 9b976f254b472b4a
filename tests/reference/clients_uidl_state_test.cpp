// Keep mode's state file: what one mailbox downloaded, kept apart from other mailboxes sharing
// the Maildir, durable after each add, pruned of UIDs the server no longer has.

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "reference/clients/client_error.hpp"
#include "reference/clients/detail/uidl_state.hpp"
#include "tests/reference/temp_dir.hpp"

namespace mh::reference::clients::detail {
namespace {

std::string read_file(const std::filesystem::path& file) {
    std::ifstream in(file);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

TEST(UidlStateTest, AddedUidsSurviveAReload) {
    testing::TempDir dir;
    const auto file = dir.path() / ".mailharness-uidl";
    {
        UidlState state(file, "alice@h:110");
        EXPECT_FALSE(state.contains("u1"));
        state.add("u1");
        state.add("u2");
        EXPECT_TRUE(state.contains("u1"));
    }
    UidlState reloaded(file, "alice@h:110");
    EXPECT_TRUE(reloaded.contains("u1"));
    EXPECT_TRUE(reloaded.contains("u2"));
    EXPECT_FALSE(reloaded.contains("u3"));
}

TEST(UidlStateTest, MailboxesSharingAFileStayApart) {
    testing::TempDir dir;
    const auto file = dir.path() / ".mailharness-uidl";
    UidlState(file, "alice@h:110").add("same-uid");
    UidlState bob(file, "bob@h:110");
    EXPECT_FALSE(bob.contains("same-uid"));
    bob.add("b1");
    bob.retain_only({});  // bob's server is empty now: alice's line must stay
    EXPECT_EQ(read_file(file), "alice@h:110\tsame-uid\n");
}

TEST(UidlStateTest, RetainOnlyPrunesUidsTheServerNoLongerHas) {
    testing::TempDir dir;
    const auto file = dir.path() / ".mailharness-uidl";
    UidlState state(file, "alice@h:110");
    state.add("gone");
    state.add("kept");
    state.retain_only({"kept", "new-but-not-fetched"});
    EXPECT_FALSE(state.contains("gone"));
    EXPECT_FALSE(state.contains("new-but-not-fetched"));
    EXPECT_EQ(read_file(file), "alice@h:110\tkept\n");
    EXPECT_FALSE(std::filesystem::exists(file.string() + ".tmp"));
}

TEST(UidlStateTest, UnwritableFileIsALocalError) {
    testing::TempDir dir;
    UidlState state(dir.path() / "missing-folder" / ".mailharness-uidl", "alice@h:110");
    try {
        state.add("u1");
        FAIL() << "no error";
    } catch (const ClientError& e) {
        EXPECT_EQ(e.code(), ExitCode::local);
        EXPECT_NE(std::string(e.what()).find("missing-folder"), std::string::npos);
    }
}

}  // namespace
}  // namespace mh::reference::clients::detail
