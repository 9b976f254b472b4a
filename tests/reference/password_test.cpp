#include "reference/config/password.hpp"

#include <gtest/gtest.h>

namespace mh::reference {
namespace {

TEST(Password, HashVerifiesOnlyTheRightPassword) {
    std::string error;
    const auto hash = parse_password_hash(hash_password("s3cret", 1000), error);
    ASSERT_TRUE(hash) << error;
    EXPECT_EQ(hash->iterations, 1000U);
    EXPECT_EQ(hash->salt.size(), 16U);
    EXPECT_EQ(hash->hash.size(), 32U);
    EXPECT_TRUE(verify_password(*hash, "s3cret"));
    EXPECT_FALSE(verify_password(*hash, "s3cre"));
    EXPECT_FALSE(verify_password(*hash, "s3cret "));
    EXPECT_FALSE(verify_password(*hash, ""));
}

TEST(Password, SaltsDiffer) {
    EXPECT_NE(hash_password("x", 1), hash_password("x", 1));
}

// PBKDF2-HMAC-SHA256("password", "salt", 1 iteration), the vector of RFC 7914 section 11 style
// test sets: dk = 120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b.
TEST(Password, MatchesAKnownVector) {
    std::string error;
    const auto hash = parse_password_hash(
        "pbkdf2-sha256$1$c2FsdA==$Eg+2z/z4syxD5yJSVsT4N6hlSMkszDVICAWYfLcL4Xs=", error);
    ASSERT_TRUE(hash) << error;
    EXPECT_TRUE(verify_password(*hash, "password"));
    EXPECT_FALSE(verify_password(*hash, "Password"));
}

TEST(Password, MalformedHashesAreRejectedWithAReason) {
    for (const char* bad :
         {"", "pbkdf2-sha256", "md5$1$c2FsdA==$c2FsdA==", "pbkdf2-sha256$0$c2FsdA==$c2FsdA==",
          "pbkdf2-sha256$x$c2FsdA==$c2FsdA==", "pbkdf2-sha256$1$c2FsdA==$",
          "pbkdf2-sha256$1$!!!!$c2FsdA==", "pbkdf2-sha256$99999999999$c2FsdA==$c2FsdA==",
          "pbkdf2-sha256$1$c2FsdA==$c2FsdA==$extra"}) {
        std::string error;
        EXPECT_FALSE(parse_password_hash(bad, error)) << bad;
        EXPECT_FALSE(error.empty()) << bad;
    }
}

}  // namespace
}  // namespace mh::reference
