// The POP3 core's helpers: MD5 (RFC 1321 A.5 test suite and the APOP example of RFC 1939 7) and
// multi-line bodies (RFC 1939 3 byte-stuffing, TOP's line count).

#include <gtest/gtest.h>

#include <string>

#include "proto/pop3/detail/md5.hpp"
#include "proto/pop3/detail/multiline.hpp"

namespace mh::proto::pop3::detail {
namespace {

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
