// SASL helpers: base64 (RFC 4648 4) and the PLAIN message (RFC 4616 2).

#include <gtest/gtest.h>

#include "proto/sasl/base64.hpp"
#include "proto/sasl/plain.hpp"

using namespace std::string_literals;

namespace mh::proto::sasl {
namespace {

TEST(Base64, Rfc4648TestVectors) {
    // RFC 4648 10.
    const std::pair<std::string, std::string> vectors[] = {
        {"", ""},
        {"f", "Zg=="},
        {"fo", "Zm8="},
        {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="},
        {"fooba", "Zm9vYmE="},
        {"foobar", "Zm9vYmFy"},
    };
    for (const auto& [plain, encoded] : vectors) {
        EXPECT_EQ(base64_encode(plain), encoded);
        EXPECT_EQ(base64_decode(encoded), plain);
    }
    EXPECT_EQ(base64_decode("AGFsaWNlAGFsaWNlLXB3"), "\0alice\0alice-pw"s);
}

TEST(Base64, StrictDecoding) {
    EXPECT_FALSE(base64_decode("Zg="));        // length not a multiple of 4
    EXPECT_FALSE(base64_decode("Z==="));       // too much padding
    EXPECT_FALSE(base64_decode("Zg=a"));       // data after padding
    EXPECT_FALSE(base64_decode("Zg==Zg=="));   // padding before the end
    EXPECT_FALSE(base64_decode("Zm9v YmFy"));  // space
    EXPECT_FALSE(base64_decode("Zm9*"));       // outside the alphabet
}

TEST(PlainMessage, ParsesThreeFields) {
    const auto credentials = parse_plain("admin\0alice\0secret"s);
    ASSERT_TRUE(credentials);
    EXPECT_EQ(credentials->authzid, "admin");
    EXPECT_EQ(credentials->authcid, "alice");
    EXPECT_EQ(credentials->password, "secret");
    EXPECT_TRUE(parse_plain("\0alice\0secret"s));
}

TEST(PlainMessage, RejectsMalformed) {
    EXPECT_FALSE(parse_plain("alice"));
    EXPECT_FALSE(parse_plain("\0alice"s));
    EXPECT_FALSE(parse_plain("\0\0secret"s));
    EXPECT_FALSE(parse_plain("\0alice\0"s));
    EXPECT_FALSE(parse_plain("\0alice\0sec\0ret"s));
}

}  // namespace
}  // namespace mh::proto::sasl
