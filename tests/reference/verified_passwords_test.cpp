#include "reference/config/verified_passwords.hpp"

#include <gtest/gtest.h>

#include "reference/config/accounts.hpp"

namespace mh::reference {
namespace {

PasswordHash hashed(std::string_view password) {
    std::string error;
    auto hash = parse_password_hash(hash_password(password, 1000), error);
    EXPECT_TRUE(hash) << error;
    return hash.value_or(PasswordHash{});
}

TEST(VerifiedPasswords, ARepeatedRightPasswordSkipsTheKeyDerivation) {
    const PasswordHash alice = hashed("alice-pw");
    VerifiedPasswords cache(1);
    EXPECT_TRUE(cache.verify(0, alice, "alice-pw"));
    EXPECT_EQ(cache.full_checks(), 1U);
    EXPECT_TRUE(cache.verify(0, alice, "alice-pw"));
    EXPECT_TRUE(cache.verify(0, alice, "alice-pw"));
    EXPECT_EQ(cache.full_checks(), 1U);
}

TEST(VerifiedPasswords, AWrongPasswordNeverHitsAndIsNeverRemembered) {
    const PasswordHash alice = hashed("alice-pw");
    VerifiedPasswords cache(1);
    ASSERT_TRUE(cache.verify(0, alice, "alice-pw"));
    for (const char* wrong : {"alice-pw ", "alice-p", "", "ALICE-PW", "bob-pw"}) {
        EXPECT_FALSE(cache.verify(0, alice, wrong)) << wrong;
        EXPECT_FALSE(cache.verify(0, alice, wrong)) << wrong << " (twice)";
    }
    EXPECT_EQ(cache.full_checks(), 11U);  // the first right one, then every wrong one
    EXPECT_TRUE(cache.verify(0, alice, "alice-pw"));
    EXPECT_EQ(cache.full_checks(), 11U);
}

TEST(VerifiedPasswords, AnEntryVouchesForItsOwnAccountOnly) {
    const PasswordHash alice = hashed("alice-pw");
    const PasswordHash bob = hashed("bob-pw");
    VerifiedPasswords cache(2);
    ASSERT_TRUE(cache.verify(0, alice, "alice-pw"));
    EXPECT_FALSE(cache.verify(1, bob, "alice-pw"));
    EXPECT_TRUE(cache.verify(1, bob, "bob-pw"));
    EXPECT_FALSE(cache.verify(0, alice, "bob-pw"));
    EXPECT_EQ(cache.full_checks(), 4U);
    EXPECT_TRUE(cache.verify(0, alice, "alice-pw"));
    EXPECT_TRUE(cache.verify(1, bob, "bob-pw"));
    EXPECT_EQ(cache.full_checks(), 4U);
}

TEST(VerifiedPasswords, TheAccountDirectoryUsesIt) {
    const Config config = embedded_profile();
    const AccountDirectory accounts(config.accounts, config.domains);
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(accounts.authenticate("alice", "alice-pw"), "alice");
        EXPECT_EQ(accounts.authenticate("bob", "bob-pw"), "bob");
        EXPECT_EQ(accounts.authenticate("bob", "alice-pw"), std::nullopt);
        EXPECT_EQ(accounts.authenticate("alice", "bob-pw"), std::nullopt);
        EXPECT_EQ(accounts.authenticate("mallory", "alice-pw"), std::nullopt);
    }
}

}  // namespace
}  // namespace mh::reference
