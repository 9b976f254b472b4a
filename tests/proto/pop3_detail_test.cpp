// The POP3 core's helpers: base64 (RFC 4648 10 test vectors), MD5 (RFC 1321 A.5 test suite and
// the APOP example of RFC 1939 7), the PLAIN message (RFC 4616 2) and multi-line bodies.

#include <gtest/gtest.h>

#include <string>

#include "proto/pop3/detail/base64.hpp"
#include "proto/pop3/detail/md5.hpp"
#include "proto/pop3/detail/multiline.hpp"
#include "proto/pop3/detail/sasl_plain.hpp"

namespace mh::proto::pop3::detail {
namespace {

TEST(Pop3Base64Test, Rfc4648Vectors) {
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
}

TEST(Pop3Base64Test, BinaryRoundTrip) {
    std::string all;
    for (int i = 0; i < 256; ++i) {
        all += static_cast<char>(i);
    }
    EXPECT_EQ(base64_decode(base64_encode(all)), all);
}

TEST(Pop3Base64Test, MalformedInputIsRejected) {
    for (const char* bad :
         {"Zg", "Zg=", "Z===", "=Zg=", "Zg==Zg==", "Zm9v!A==", "Zm 9v", "Zm8=\r\n"}) {
        EXPECT_FALSE(base64_decode(bad)) << bad;
    }
}

TEST(Pop3Md5Test, Rfc1321TestSuite) {
    EXPECT_EQ(md5_hex(""), "d41d8cd98f00b204e9800998ecf8427e");
    EXPECT_EQ(md5_hex("a"), "0cc175b9c0f1b6a831c399e269772661");
    EXPECT_EQ(md5_hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
    EXPECT_EQ(md5_hex("message digest"), "f96b697d7cb7938d525a2f31aaf161d0");
    EXPECT_EQ(md5_hex("abcdefghijklmnopqrstuvwxyz"), "c3fcd3d76192e4007dfb496cca67e13b");
    EXPECT_EQ(md5_hex("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"),
              "d174ab98d277d9f5a5611c2c9f419d9f");
    EXPECT_EQ(md5_hex("1234567890123456789012345678901234567890123456789012345678901234567890"
                      "1234567890"),
              "57edf4a22be3c955ac49da2e2107b67a");
}

TEST(Pop3Md5Test, ApopExampleOfRfc1939) {
    EXPECT_EQ(md5_hex("<1896.697170952@dbc.mtview.ca.us>tanstaaf"),
              "c4c9334bac560ecc979e58001b3e22fb");
}

TEST(Pop3SaslPlainTest, ParsesTheThreeFields) {
    const auto credentials = parse_sasl_plain(std::string("admin\0alice\0secret", 18));
    ASSERT_TRUE(credentials);
    EXPECT_EQ(credentials->authzid, "admin");
    EXPECT_EQ(credentials->authcid, "alice");
    EXPECT_EQ(credentials->password, "secret");
    EXPECT_EQ(parse_sasl_plain(make_sasl_plain("alice", "pw"))->authcid, "alice");
}

TEST(Pop3SaslPlainTest, RejectsMalformedMessages) {
    for (const std::string& bad :
         {std::string("alice"), std::string("\0alice", 6), std::string("\0\0pw", 4),
          std::string("\0alice\0", 7), std::string("\0a\0b\0c", 6)}) {
        EXPECT_FALSE(parse_sasl_plain(bad));
    }
}

TEST(Pop3MultilineTest, StuffsDotsAndTerminates) {
    std::string out;
    append_multiline(out, ".a\r\nb\r\n..\r\n.\r\n");
    EXPECT_EQ(out, "..a\r\nb\r\n...\r\n..\r\n.\r\n");
}

TEST(Pop3MultilineTest, EmptyBodyIsJustTheTerminator) {
    std::string out;
    append_multiline(out, "");
    EXPECT_EQ(out, ".\r\n");
}

TEST(Pop3MultilineTest, TopCountsBodyLinesAfterTheBlankLine) {
    std::string out;
    append_multiline(out, "A: 1\r\nB: 2\r\n\r\none\r\ntwo\r\nthree\r\n", 2);
    EXPECT_EQ(out, "A: 1\r\nB: 2\r\n\r\none\r\ntwo\r\n.\r\n");
    out.clear();
    append_multiline(out, "A: 1\r\nno blank line\r\n", 0);
    EXPECT_EQ(out, "A: 1\r\nno blank line\r\n.\r\n");
}

}  // namespace
}  // namespace mh::proto::pop3::detail
