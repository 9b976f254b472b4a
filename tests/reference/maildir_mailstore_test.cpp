#include "reference/store/maildir_mailstore.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <fstream>

#include "reference/store/maildir.hpp"
#include "temp_dir.hpp"

namespace mh::reference {
namespace {

using proto::pop3::LockResult;
using proto::pop3::Maildrop;
using testing::TempDir;

class MaildirMailstoreTest : public ::testing::Test {
  protected:
    MaildirMailstoreTest()
        : config_(embedded_profile()),
          accounts_(config_.accounts, config_.domains),
          store_(root_.path(), accounts_),
          maildir_(ensure_account_maildir(root_.path(), "alice")) {}

    void put(const std::string& sub, const std::string& name, const std::string& content) {
        std::ofstream(maildir_ / sub / name, std::ios::binary) << content;
    }

    TempDir root_;
    Config config_;
    AccountDirectory accounts_;
    MaildirMailstore store_;
    std::filesystem::path maildir_;
};

TEST_F(MaildirMailstoreTest, AuthenticatesByPasswordAndApop) {
    EXPECT_EQ(store_.authenticate("alice", "alice-pw"), "alice");
    EXPECT_EQ(store_.authenticate("alice", "bob-pw"), std::nullopt);
    // RFC 1939 7 example: MD5("<1896.697170952@dbc.mtview.ca.us>tanstaaf").
    Config config = embedded_profile();
    config.accounts[0].apop_secret = "tanstaaf";
    AccountDirectory accounts(config.accounts, config.domains);
    MaildirMailstore store(root_.path(), accounts);
    EXPECT_EQ(store.authenticate_apop("alice", "<1896.697170952@dbc.mtview.ca.us>",
                                      "c4c9334bac560ecc979e58001b3e22fb"),
              "alice");
    EXPECT_EQ(store.authenticate_apop("alice", "<1896.697170952@dbc.mtview.ca.us>",
                                      "c4c9334bac560ecc979e58001b3e22fc"),
              std::nullopt);
    EXPECT_EQ(store.authenticate_apop("nobody", "<1@x>", "c4c9334bac560ecc979e58001b3e22fb"),
              std::nullopt);
}

TEST_F(MaildirMailstoreTest, SnapshotListsNewAndCurWithStableUids) {
    put("new", "1000.M1P1Q1.host", "A\r\n");
    put("cur", "999.M1P1Q1.host:2,S", "BB\r\n");
    put("tmp", "1001.M1P1Q1.host", "in flight, not visible");
    std::filesystem::last_write_time(
        maildir_ / "cur" / "999.M1P1Q1.host:2,S",
        std::filesystem::file_time_type::clock::now() - std::chrono::hours(1));
    std::unique_ptr<Maildrop> drop;
    ASSERT_EQ(store_.open("alice", drop), LockResult::locked);
    ASSERT_EQ(drop->messages().size(), 2U);
    EXPECT_EQ(drop->messages()[0].uid, "999.M1P1Q1.host");  // oldest first, flags stripped
    EXPECT_EQ(drop->messages()[0].octets, 4U);
    EXPECT_EQ(drop->messages()[1].uid, "1000.M1P1Q1.host");
    EXPECT_EQ(drop->read(0), "BB\r\n");
    EXPECT_EQ(drop->read(1), "A\r\n");

    put("new", "1002.M1P1Q1.host", "late\r\n");
    EXPECT_EQ(drop->messages().size(), 2U) << "new mail does not change an open session's view";
}

TEST_F(MaildirMailstoreTest, SecondOpenIsInUseUntilTheFirstCloses) {
    std::unique_ptr<Maildrop> first;
    std::unique_ptr<Maildrop> second;
    ASSERT_EQ(store_.open("alice", first), LockResult::locked);
    EXPECT_EQ(store_.open("alice", second), LockResult::in_use);
    std::unique_ptr<Maildrop> bob;
    EXPECT_EQ(store_.open("bob", bob), LockResult::locked) << "locks are per account";
    first.reset();
    EXPECT_EQ(store_.open("alice", second), LockResult::locked);
}

TEST_F(MaildirMailstoreTest, RemoveDeletesOnlyTheGivenMessages) {
    put("new", "1.M1P1Q1.host", "one\r\n");
    put("new", "2.M1P1Q1.host", "two\r\n");
    put("new", "3.M1P1Q1.host", "three\r\n");
    std::unique_ptr<Maildrop> drop;
    ASSERT_EQ(store_.open("alice", drop), LockResult::locked);
    ASSERT_EQ(drop->messages().size(), 3U);
    EXPECT_TRUE(drop->remove({0, 2}));
    drop.reset();
    ASSERT_EQ(store_.open("alice", drop), LockResult::locked);
    ASSERT_EQ(drop->messages().size(), 1U);
    EXPECT_EQ(drop->read(0), "two\r\n");
    EXPECT_FALSE(drop->remove({5}));
}

TEST_F(MaildirMailstoreTest, BadAccountNamesFailWithoutTouchingTheDisk) {
    std::unique_ptr<Maildrop> drop;
    EXPECT_EQ(store_.open("../alice", drop), LockResult::failed);
    EXPECT_EQ(drop, nullptr);
}

TEST(MaildirUid, StripsTheInfoSuffix) {
    EXPECT_EQ(maildir_uid("1.M2P3Q4.host:2,RS"), "1.M2P3Q4.host");
    EXPECT_EQ(maildir_uid("1.M2P3Q4.host"), "1.M2P3Q4.host");
}

}  // namespace
}  // namespace mh::reference
