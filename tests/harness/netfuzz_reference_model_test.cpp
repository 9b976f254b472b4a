// harness/fuzz/reference_model: what the network fuzzer's model says about plaintext sent
// behind a STARTTLS / STLS in the same turn (the server may drop it or read it as a broken TLS
// handshake, so a close is then no desync), including a second STLS behind the first.
#include <gtest/gtest.h>

#include "harness/fuzz/reference_model.hpp"

namespace {

namespace hf = mh::harness::fuzz;
namespace sc = mh::harness::scenario;

bool behind_tls(sc::Protocol protocol, std::string_view turn) {
    sc::TargetProfile profile;
    profile.domain = "example.test";
    const hf::TargetTraits traits{.tls_offered = true, .login_before_tls = false};
    auto model = hf::ReferenceModel::make(protocol, profile, traits);
    model->start();
    if (protocol == sc::Protocol::smtp) {
        model->put("EHLO client.example.test\r\n");
    }
    model->put(turn);
    EXPECT_TRUE(model->tls_requested()) << turn;
    return model->bytes_behind_tls_request();
}

TEST(NetworkFuzzerModel, SeesBytesBehindAnAcceptedStls) {
    EXPECT_FALSE(behind_tls(sc::Protocol::pop3, "STLS\r\n"));
    EXPECT_FALSE(behind_tls(sc::Protocol::pop3, "CAPA\r\nSTLS\r\n"));
    EXPECT_TRUE(behind_tls(sc::Protocol::pop3, "STLS\r\nUSER alice\r\n"));
    EXPECT_TRUE(behind_tls(sc::Protocol::pop3, "STLS\r\nSTLS\r\n"));  // found by a campaign
}

TEST(NetworkFuzzerModel, SeesBytesBehindAnAcceptedStarttls) {
    EXPECT_FALSE(behind_tls(sc::Protocol::smtp, "STARTTLS\r\n"));
    EXPECT_TRUE(behind_tls(sc::Protocol::smtp, "STARTTLS\r\nSTARTTLS\r\n"));
    EXPECT_TRUE(behind_tls(sc::Protocol::smtp, "STARTTLS\r\nMAIL FROM:<a@example.test>\r\n"));
}

// The reference matches a recipient whatever its case (RFC 5321 2.4 lets the owning server decide;
// reference/config lower-cases): a 10-minute campaign reported the model's refusal of
// RCPT TO:<bOb@example.test> as an acceptance finding (the server acknowledged the message).
TEST(NetworkFuzzerModel, AcceptsARecipientInAnyCaseAsTheReferenceDoes) {
    sc::TargetProfile profile;
    profile.domain = "example.test";
    profile.accounts = {{"alice", "alice-pw", "alice@example.test"},
                        {"bob", "bob-pw", "bob@example.test"}};
    const hf::TargetTraits traits{.tls_offered = false, .login_before_tls = true};
    auto model = hf::ReferenceModel::make(sc::Protocol::smtp, profile, traits);
    model->start();
    model->put("EHLO client.example.test\r\n");
    model->put("MAIL FROM:<alice@example.test>\r\n");
    EXPECT_EQ(model->put("RCPT TO:<bOb@Example.Test>\r\n"), std::vector<hf::PredictedReply>{"250"});
    EXPECT_EQ(model->put("RCPT TO:<carol@example.test>\r\n").at(0).substr(0, 1), "5");
}

}  // namespace
