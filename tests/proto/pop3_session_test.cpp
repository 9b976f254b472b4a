// The POP3 session machine: every command in every state (RFC 1939), CAPA (RFC 2449), STLS
// (RFC 2595), AUTH PLAIN (RFC 5034, RFC 4616), locking, UPDATE, pipelining and limits. Scripts
// are also fed split at every byte offset, which must not change a single reply.

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "proto/pop3/detail/md5.hpp"
#include "proto/pop3/memory_store.hpp"
#include "proto/pop3/session.hpp"
#include "proto/sasl/base64.hpp"

namespace mh::proto::pop3 {
namespace {

constexpr std::string_view timestamp = "<1896.697170952@pop.example.test>";
constexpr std::string_view first_message = "From: a@example.test\r\nSubject: one\r\n\r\nhello\r\n";
constexpr std::string_view second_message =
    "Subject: two\r\n\r\nline 1\r\n.dot line\r\n..two dots\r\nline 4\r\n";

// Drives one session like a connection loop would, recording what it writes and does.
class Client {
  public:
    Client(SessionConfig config, MemoryStore& store) : session_(std::move(config), store) {}

    // Starts the session and returns the greeting.
    std::string start() {
        session_.start();
        return drain();
    }

    // Feeds bytes (re-offering what put() did not take, as a loop must) and returns the replies.
    std::string send(std::string_view bytes) {
        std::string written;
        while (!bytes.empty()) {
            const std::size_t taken = session_.put(bytes);
            bytes.remove_prefix(taken);
            written += drain();
        }
        return written + drain();
    }

    std::string drain() {
        std::string written;
        while (auto event = session_.next_event()) {
            if (const auto* write = std::get_if<WriteEvent>(&*event)) {
                EXPECT_FALSE(closed) << "write after close";
                written += write->bytes;
                ++writes;
            } else if (std::holds_alternative<StartTlsEvent>(*event)) {
                ++tls_starts;
                if (auto_tls) {
                    session_.tls_established();
                }
            } else {
                closed = true;
            }
        }
        return written;
    }

    Session& session() { return session_; }

    bool auto_tls = true;
    bool closed = false;
    int tls_starts = 0;
    int writes = 0;

  private:
    Session session_;
};

SessionConfig plain_config() {
    SessionConfig config;
    config.login_requires_tls = false;
    config.apop_timestamp = std::string(timestamp);
    return config;
}

class Pop3SessionTest : public ::testing::Test {
  protected:
    Pop3SessionTest() {
        store.add_account("alice", "alice-pw");
        store.add_account("bob", "bob-pw");
        uid1 = store.add_message("alice", first_message);
        uid2 = store.add_message("alice", second_message);
    }

    // A started session with the greeting consumed.
    Client connect(SessionConfig config = plain_config()) {
        Client client(std::move(config), store);
        client.start();
        return client;
    }

    Client logged_in(SessionConfig config = plain_config()) {
        Client client = connect(std::move(config));
        EXPECT_EQ(client.send("USER alice\r\n"), "+OK send PASS\r\n");
        EXPECT_EQ(client.send("PASS alice-pw\r\n").substr(0, 4), "+OK ");
        EXPECT_EQ(client.session().state(), State::transaction);
        return client;
    }

    std::size_t total_octets() const { return first_message.size() + second_message.size(); }

    MemoryStore store;
    std::string uid1;
    std::string uid2;
};

// --- greeting ----------------------------------------------------------------------------

TEST_F(Pop3SessionTest, GreetingCarriesApopTimestamp) {
    Client client(plain_config(), store);
    EXPECT_EQ(client.start(),
              "+OK pop.example.test POP3 server ready <1896.697170952@pop.example.test>\r\n");
    EXPECT_EQ(client.session().state(), State::authorization);
}

TEST_F(Pop3SessionTest, GreetingWithoutApopHasNoTimestamp) {
    SessionConfig config = plain_config();
    config.apop_enabled = false;
    Client client(config, store);
    EXPECT_EQ(client.start(), "+OK pop.example.test POP3 server ready\r\n");
    EXPECT_EQ(client.send("APOP alice 0123456789abcdef0123456789abcdef\r\n"),
              "-ERR APOP not available\r\n");
}

TEST_F(Pop3SessionTest, ImplicitTlsGreetsAfterHandshake) {
    SessionConfig config = plain_config();
    config.implicit_tls = true;
    config.login_requires_tls = true;
    Client client(config, store);
    EXPECT_EQ(client.start(), "");
    client.session().tls_established();
    EXPECT_EQ(client.drain().substr(0, 4), "+OK ");
    EXPECT_TRUE(client.session().encrypted());
    EXPECT_EQ(client.send("CAPA\r\n").find("STLS"), std::string::npos);
    EXPECT_EQ(client.send("STLS\r\n"), "-ERR TLS already active\r\n");
    EXPECT_EQ(client.send("USER alice\r\n"), "+OK send PASS\r\n");
}

// --- USER / PASS -------------------------------------------------------------------------

TEST_F(Pop3SessionTest, UserPassOpensTheMaildrop) {
    Client client = connect();
    EXPECT_EQ(client.send("USER alice\r\n"), "+OK send PASS\r\n");
    EXPECT_EQ(client.send("PASS alice-pw\r\n"), "+OK maildrop locked and ready, 2 messages (" +
                                                    std::to_string(total_octets()) +
                                                    " octets)\r\n");
    EXPECT_EQ(client.session().state(), State::transaction);
    EXPECT_TRUE(store.locked("alice"));
}

TEST_F(Pop3SessionTest, WrongPasswordStaysInAuthorizationAndForgetsTheUser) {
    Client client = connect();
    client.send("USER alice\r\n");
    EXPECT_EQ(client.send("PASS wrong\r\n"), "-ERR [AUTH] invalid credentials\r\n");
    EXPECT_EQ(client.session().state(), State::authorization);
    EXPECT_EQ(client.send("PASS alice-pw\r\n"), "-ERR send USER first\r\n");
    EXPECT_FALSE(store.locked("alice"));
}

TEST_F(Pop3SessionTest, UnknownUserGetsTheSameAnswers) {
    Client client = connect();
    EXPECT_EQ(client.send("USER nobody\r\n"), "+OK send PASS\r\n");
    EXPECT_EQ(client.send("PASS x\r\n"), "-ERR [AUTH] invalid credentials\r\n");
}

TEST_F(Pop3SessionTest, PassWithoutUserIsRefused) {
    Client client = connect();
    EXPECT_EQ(client.send("PASS alice-pw\r\n"), "-ERR send USER first\r\n");
}

TEST_F(Pop3SessionTest, PasswordMayContainSpaces) {
    store.add_account("carol", "two words ");
    Client client = connect();
    client.send("USER carol\r\n");
    EXPECT_EQ(client.send("PASS two words \r\n").substr(0, 4), "+OK ");
}

TEST_F(Pop3SessionTest, UserAndPassNeedTheirArgument) {
    Client client = connect();
    EXPECT_EQ(client.send("USER\r\n"), "-ERR syntax: USER name\r\n");
    EXPECT_EQ(client.send("USER a b\r\n"), "-ERR syntax: USER name\r\n");
    EXPECT_EQ(client.send("PASS\r\n"), "-ERR syntax: PASS password\r\n");
}

TEST_F(Pop3SessionTest, KeywordsAreCaseInsensitive) {
    Client client = connect();
    EXPECT_EQ(client.send("user alice\r\n"), "+OK send PASS\r\n");
    EXPECT_EQ(client.send("pAsS alice-pw\r\n").substr(0, 4), "+OK ");
    EXPECT_EQ(client.send("stat\r\n").substr(0, 6), "+OK 2 ");
}

TEST_F(Pop3SessionTest, BareLfEndsACommandToo) {
    Client client = connect();
    EXPECT_EQ(client.send("USER alice\n"), "+OK send PASS\r\n");
}

// --- APOP --------------------------------------------------------------------------------

TEST_F(Pop3SessionTest, ApopWithTheRightDigestLogsIn) {
    Client client = connect();
    const std::string digest = detail::md5_hex(std::string(timestamp) + "alice-pw");
    EXPECT_EQ(client.send("APOP alice " + digest + "\r\n").substr(0, 4), "+OK ");
    EXPECT_EQ(client.session().state(), State::transaction);
}

TEST_F(Pop3SessionTest, ApopDigestIsCaseInsensitiveHex) {
    Client client = connect();
    std::string digest = detail::md5_hex(std::string(timestamp) + "alice-pw");
    for (char& c : digest) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    EXPECT_EQ(client.send("APOP alice " + digest + "\r\n").substr(0, 4), "+OK ");
}

TEST_F(Pop3SessionTest, ApopWithAWrongOrMalformedDigestIsRefused) {
    Client client = connect();
    const std::string wrong = detail::md5_hex("<other@host>alice-pw");
    EXPECT_EQ(client.send("APOP alice " + wrong + "\r\n"), "-ERR [AUTH] invalid credentials\r\n");
    EXPECT_EQ(client.send("APOP alice xyz\r\n"), "-ERR [AUTH] digest must be 32 hex digits\r\n");
    EXPECT_EQ(client.send("APOP alice\r\n"), "-ERR syntax: APOP name digest\r\n");
    EXPECT_EQ(client.session().state(), State::authorization);
}

// --- AUTH PLAIN --------------------------------------------------------------------------

std::string plain(std::string_view authzid, std::string_view user, std::string_view password) {
    return sasl::base64_encode(std::string(authzid) + '\0' + std::string(user) + '\0' +
                               std::string(password));
}

TEST_F(Pop3SessionTest, AuthPlainWithInitialResponse) {
    Client client = connect();
    EXPECT_EQ(client.send("AUTH PLAIN " + plain("", "alice", "alice-pw") + "\r\n").substr(0, 4),
              "+OK ");
    EXPECT_EQ(client.session().state(), State::transaction);
}

TEST_F(Pop3SessionTest, AuthPlainWithContinuation) {
    Client client = connect();
    EXPECT_EQ(client.send("AUTH plain\r\n"), "+ \r\n");
    EXPECT_EQ(client.send(plain("alice", "alice", "alice-pw") + "\r\n").substr(0, 4), "+OK ");
}

TEST_F(Pop3SessionTest, AuthPlainCancelledWithStar) {
    Client client = connect();
    client.send("AUTH PLAIN\r\n");
    EXPECT_EQ(client.send("*\r\n"), "-ERR AUTH exchange cancelled\r\n");
    EXPECT_EQ(client.send("NOOP\r\n"), "-ERR NOOP not valid in the AUTHORIZATION state\r\n");
}

TEST_F(Pop3SessionTest, AuthPlainRefusals) {
    Client client = connect();
    EXPECT_EQ(client.send("AUTH PLAIN " + plain("", "alice", "bad") + "\r\n"),
              "-ERR [AUTH] invalid credentials\r\n");
    EXPECT_EQ(client.send("AUTH PLAIN " + plain("bob", "alice", "alice-pw") + "\r\n"),
              "-ERR [AUTH] authorization identity not permitted\r\n");
    EXPECT_EQ(client.send("AUTH PLAIN =\r\n"), "-ERR [AUTH] malformed PLAIN message\r\n");
    EXPECT_EQ(client.send("AUTH PLAIN not-base64!\r\n"),
              "-ERR invalid base64 in SASL response\r\n");
    EXPECT_EQ(client.send("AUTH CRAM-MD5\r\n"), "-ERR unsupported SASL mechanism\r\n");
    EXPECT_EQ(client.session().state(), State::authorization);
}

TEST_F(Pop3SessionTest, AuthWithoutMechanismListsThem) {
    Client client = connect();
    EXPECT_EQ(client.send("AUTH\r\n"), "+OK\r\nPLAIN\r\n.\r\n");
}

// --- login before TLS --------------------------------------------------------------------

TEST_F(Pop3SessionTest, LoginRequiresTlsRefusesEveryLoginCommandWithAuthCode) {
    SessionConfig config = plain_config();
    config.login_requires_tls = true;
    Client client = connect(config);
    const std::string refusal = "-ERR [AUTH] login requires TLS: issue STLS first\r\n";
    EXPECT_EQ(client.send("USER alice\r\n"), refusal);
    EXPECT_EQ(client.send("PASS alice-pw\r\n"), refusal);
    EXPECT_EQ(
        client.send("APOP alice " + detail::md5_hex(std::string(timestamp) + "alice-pw") + "\r\n"),
        refusal);
    EXPECT_EQ(client.send("AUTH PLAIN " + plain("", "alice", "alice-pw") + "\r\n"), refusal);
    EXPECT_EQ(client.send("STLS\r\n"), "+OK begin TLS negotiation\r\n");
    EXPECT_EQ(client.send("USER alice\r\n"), "+OK send PASS\r\n");
    EXPECT_EQ(client.send("PASS alice-pw\r\n").substr(0, 4), "+OK ");
}

// --- STLS --------------------------------------------------------------------------------

TEST_F(Pop3SessionTest, StlsDiscardsPipelinedPlaintext) {
    SessionConfig config = plain_config();
    config.login_requires_tls = true;
    Client client = connect(config);
    client.auto_tls = false;
    EXPECT_EQ(client.send("STLS\r\nUSER alice\r\nPASS alice-pw\r\n"),
              "+OK begin TLS negotiation\r\n");
    EXPECT_EQ(client.tls_starts, 1);
    // Bytes before the handshake completes are taken and dropped as well.
    EXPECT_EQ(client.send("USER alice\r\n"), "");
    client.session().tls_established();
    EXPECT_EQ(client.drain(), "");  // no new greeting after STLS
    EXPECT_EQ(client.send("PASS alice-pw\r\n"), "-ERR send USER first\r\n");
    EXPECT_EQ(client.session().state(), State::authorization);
}

TEST_F(Pop3SessionTest, StlsRefusedWhenActiveUnavailableOrInTransaction) {
    Client client = connect();
    EXPECT_EQ(client.send("STLS\r\n"), "+OK begin TLS negotiation\r\n");
    EXPECT_EQ(client.send("STLS\r\n"), "-ERR TLS already active\r\n");

    SessionConfig no_tls = plain_config();
    no_tls.tls_available = false;
    Client other = connect(no_tls);
    EXPECT_EQ(other.send("STLS\r\n"), "-ERR STLS not available\r\n");

    Client third = logged_in();
    EXPECT_EQ(third.send("STLS\r\n"), "-ERR STLS not valid in the TRANSACTION state\r\n");
}

TEST_F(Pop3SessionTest, StlsTakesNoArgument) {
    Client client = connect();
    EXPECT_EQ(client.send("STLS now\r\n"), "-ERR syntax: STLS\r\n");
    EXPECT_EQ(client.tls_starts, 0);
}

// --- CAPA --------------------------------------------------------------------------------

TEST_F(Pop3SessionTest, CapaInAuthorization) {
    SessionConfig config = plain_config();
    config.expire_days = 30;
    config.login_delay_secs = 60;
    Client client = connect(config);
    EXPECT_EQ(client.send("CAPA\r\n"),
              "+OK capability list follows\r\nTOP\r\nUSER\r\nSASL PLAIN\r\nRESP-CODES\r\n"
              "AUTH-RESP-CODE\r\nPIPELINING\r\nUIDL\r\nEXPIRE 30\r\nLOGIN-DELAY 60\r\nSTLS\r\n"
              "IMPLEMENTATION mailharness\r\n.\r\n");
}

TEST_F(Pop3SessionTest, CapaInTransactionHasNoStlsNorUnconfiguredPolicies) {
    Client client = logged_in();
    const std::string capa = client.send("CAPA\r\n");
    EXPECT_EQ(capa.find("STLS"), std::string::npos);
    EXPECT_EQ(capa.find("EXPIRE"), std::string::npos);
    EXPECT_EQ(capa.find("LOGIN-DELAY"), std::string::npos);
    EXPECT_NE(capa.find("\r\nUIDL\r\n"), std::string::npos);
    EXPECT_EQ(capa.substr(capa.size() - 5), "\r\n.\r\n");
}

// --- commands outside their state --------------------------------------------------------

TEST_F(Pop3SessionTest, TransactionCommandsAreRefusedInAuthorization) {
    for (const std::string_view command : {"STAT", "LIST", "LIST 1", "RETR 1", "DELE 1", "NOOP",
                                           "RSET", "TOP 1 1", "UIDL", "UIDL 1"}) {
        Client client = connect();
        const std::string verb(command.substr(0, command.find(' ')));
        EXPECT_EQ(client.send(std::string(command) + "\r\n"),
                  "-ERR " + verb + " not valid in the AUTHORIZATION state\r\n")
            << command;
        EXPECT_EQ(client.session().state(), State::authorization);
    }
}

TEST_F(Pop3SessionTest, AuthorizationCommandsAreRefusedInTransaction) {
    for (const std::string_view command :
         {"USER alice", "PASS alice-pw", "APOP alice 0123456789abcdef0123456789abcdef",
          "AUTH PLAIN", "STLS"}) {
        Client client = logged_in();
        const std::string verb(command.substr(0, command.find(' ')));
        EXPECT_EQ(client.send(std::string(command) + "\r\n"),
                  "-ERR " + verb + " not valid in the TRANSACTION state\r\n")
            << command;
        EXPECT_EQ(client.session().state(), State::transaction);
    }
}

TEST_F(Pop3SessionTest, UnknownAndEmptyCommands) {
    Client client = connect();
    EXPECT_EQ(client.send("HELO x\r\n"), "-ERR unknown command\r\n");
    EXPECT_EQ(client.send("\r\n"), "-ERR unknown command\r\n");
    EXPECT_EQ(client.send(std::string("US\0R a\r\n", 9)), "-ERR NUL in command\r\n");
}

TEST_F(Pop3SessionTest, CommandsRefusedAfterClose) {
    Client client = connect();
    client.send("QUIT\r\n");
    EXPECT_EQ(client.send("USER alice\r\n"), "");
    EXPECT_EQ(client.session().state(), State::closed);
}

// --- TRANSACTION commands ----------------------------------------------------------------

TEST_F(Pop3SessionTest, StatIsExactlyCountAndOctets) {
    Client client = logged_in();
    EXPECT_EQ(client.send("STAT\r\n"), "+OK 2 " + std::to_string(total_octets()) + "\r\n");
    EXPECT_EQ(client.send("STAT x\r\n"), "-ERR syntax: STAT\r\n");
}

TEST_F(Pop3SessionTest, ListAllAndOne) {
    Client client = logged_in();
    EXPECT_EQ(client.send("LIST\r\n"), "+OK 2 messages (" + std::to_string(total_octets()) +
                                           " octets)\r\n1 " + std::to_string(first_message.size()) +
                                           "\r\n2 " + std::to_string(second_message.size()) +
                                           "\r\n.\r\n");
    EXPECT_EQ(client.send("LIST 2\r\n"), "+OK 2 " + std::to_string(second_message.size()) + "\r\n");
    EXPECT_EQ(client.send("LIST 1 2\r\n"), "-ERR syntax: LIST [msg]\r\n");
}

TEST_F(Pop3SessionTest, MessageNumberEdgeCasesAreRefused) {
    SessionConfig config = plain_config();
    config.hard_error_limit = 100;  // this test makes many errors on purpose
    Client client = logged_in(config);
    for (const std::string_view verb : {"LIST", "RETR", "DELE", "UIDL"}) {
        const std::string prefix = std::string(verb) + " ";
        EXPECT_EQ(client.send(prefix + "0\r\n"), "-ERR no such message\r\n") << verb;
        EXPECT_EQ(client.send(prefix + "3\r\n"), "-ERR no such message\r\n") << verb;
        EXPECT_EQ(client.send(prefix + "4772185884\r\n"), "-ERR no such message\r\n") << verb;
        EXPECT_EQ(client.send(prefix + "99999999999999999999999999\r\n"),
                  "-ERR no such message\r\n")
            << verb;
        EXPECT_EQ(client.send(prefix + "-1\r\n"), "-ERR invalid message number: -1\r\n") << verb;
        EXPECT_EQ(client.send(prefix + "+1\r\n"), "-ERR invalid message number: +1\r\n") << verb;
        EXPECT_EQ(client.send(prefix + "abc\r\n"), "-ERR invalid message number: abc\r\n") << verb;
        EXPECT_EQ(client.send(prefix + "1x\r\n"), "-ERR invalid message number: 1x\r\n") << verb;
    }
    EXPECT_EQ(client.send("TOP 0 1\r\n"), "-ERR no such message\r\n");
    EXPECT_EQ(client.send("TOP 4772185884 1\r\n"), "-ERR no such message\r\n");
    EXPECT_EQ(client.session().state(), State::transaction);
}

// Undoes byte-stuffing of a multi-line response body and checks its terminator.
std::string unstuff(std::string_view response) {
    const auto first_line_end = response.find("\r\n");
    std::string_view body = response.substr(first_line_end + 2);
    EXPECT_GE(body.size(), 3u);
    EXPECT_EQ(body.substr(body.size() - 3), ".\r\n");
    body.remove_suffix(3);
    std::string out;
    std::size_t pos = 0;
    while (pos < body.size()) {
        auto end = body.find("\r\n", pos);
        end = end == std::string_view::npos ? body.size() : end + 2;
        auto line = body.substr(pos, end - pos);
        if (line.front() == '.') {
            line.remove_prefix(1);
        }
        out += line;
        pos = end;
    }
    return out;
}

TEST_F(Pop3SessionTest, RetrSendsExactOctetsByteStuffed) {
    Client client = logged_in();
    const std::string response = client.send("RETR 2\r\n");
    EXPECT_EQ(response.substr(0, response.find("\r\n")),
              "+OK " + std::to_string(second_message.size()) + " octets");
    EXPECT_NE(response.find("\r\n..dot line\r\n...two dots\r\n"), std::string::npos);
    EXPECT_EQ(response.substr(response.size() - 5), "\r\n.\r\n");
    EXPECT_EQ(unstuff(response), second_message);
    EXPECT_EQ(unstuff(client.send("RETR 1\r\n")), first_message);
}

TEST_F(Pop3SessionTest, RetrOfAMessageWithoutFinalLineEndStillEndsWithCrlfDotCrlf) {
    // The memory store completes the last line, so the octet count includes that CRLF.
    store.add_account("dave", "dave-pw");
    store.add_message("dave", "Subject: x\r\n\r\nno final newline");
    Client client = connect();
    client.send("USER dave\r\nPASS dave-pw\r\n");
    const std::string response = client.send("RETR 1\r\n");
    const std::string stored = "Subject: x\r\n\r\nno final newline\r\n";
    EXPECT_EQ(response, "+OK " + std::to_string(stored.size()) + " octets\r\n" + stored + ".\r\n");
}

TEST_F(Pop3SessionTest, TopSendsHeadersBlankLineAndNLines) {
    Client client = logged_in();
    EXPECT_EQ(client.send("TOP 2 0\r\n"),
              "+OK top of message follows\r\nSubject: two\r\n\r\n.\r\n");
    EXPECT_EQ(client.send("TOP 2 2\r\n"),
              "+OK top of message follows\r\nSubject: two\r\n\r\nline 1\r\n..dot line\r\n.\r\n");
    EXPECT_EQ(unstuff(client.send("TOP 2 100\r\n")), second_message);
    EXPECT_EQ(client.send("TOP 2 -1\r\n"),
              "-ERR number of lines must be a non-negative number\r\n");
    EXPECT_EQ(client.send("TOP 2\r\n"), "-ERR syntax: TOP msg n\r\n");
}

TEST_F(Pop3SessionTest, DeleMarksAndRefusesDeletedMessages) {
    Client client = logged_in();
    EXPECT_EQ(client.send("DELE 2\r\n"), "+OK message 2 deleted\r\n");
    EXPECT_EQ(client.send("DELE 2\r\n"), "-ERR message 2 already deleted\r\n");
    EXPECT_EQ(client.send("RETR 2\r\n"), "-ERR message 2 already deleted\r\n");
    EXPECT_EQ(client.send("TOP 2 1\r\n"), "-ERR message 2 already deleted\r\n");
    EXPECT_EQ(client.send("LIST 2\r\n"), "-ERR message 2 already deleted\r\n");
    EXPECT_EQ(client.send("UIDL 2\r\n"), "-ERR message 2 already deleted\r\n");
    EXPECT_EQ(client.send("STAT\r\n"), "+OK 1 " + std::to_string(first_message.size()) + "\r\n");
    // Numbers stay stable: message 1 keeps its number, 2 is left out of listings.
    EXPECT_EQ(client.send("LIST\r\n"), "+OK 1 messages (" + std::to_string(first_message.size()) +
                                           " octets)\r\n1 " + std::to_string(first_message.size()) +
                                           "\r\n.\r\n");
    EXPECT_EQ(client.send("UIDL\r\n"), "+OK 1 messages (" + std::to_string(first_message.size()) +
                                           " octets)\r\n1 " + uid1 + "\r\n.\r\n");
    EXPECT_EQ(store.contents("alice").size(), 2u) << "nothing is removed before UPDATE";
}

TEST_F(Pop3SessionTest, RsetUndeletes) {
    Client client = logged_in();
    client.send("DELE 1\r\nDELE 2\r\n");
    EXPECT_EQ(client.send("STAT\r\n"), "+OK 0 0\r\n");
    EXPECT_EQ(client.send("RSET\r\n"),
              "+OK 2 messages (" + std::to_string(total_octets()) + " octets)\r\n");
    EXPECT_EQ(client.send("RETR 2\r\n").substr(0, 4), "+OK ");
    client.send("QUIT\r\n");
    EXPECT_EQ(store.contents("alice").size(), 2u);
}

TEST_F(Pop3SessionTest, UidlIsStableAcrossSessions) {
    std::string listing;
    {
        Client client = logged_in();
        listing = client.send("UIDL\r\n");
        EXPECT_EQ(client.send("UIDL 1\r\n"), "+OK 1 " + uid1 + "\r\n");
        client.send("QUIT\r\n");
    }
    EXPECT_NE(listing.find("\r\n1 " + uid1 + "\r\n2 " + uid2 + "\r\n.\r\n"), std::string::npos);
    Client again = logged_in();
    EXPECT_EQ(again.send("UIDL\r\n"), listing);
}

TEST_F(Pop3SessionTest, NoopAnswersOk) {
    Client client = logged_in();
    EXPECT_EQ(client.send("NOOP\r\n"), "+OK\r\n");
    EXPECT_EQ(client.send("NOOP x\r\n"), "-ERR syntax: NOOP\r\n");
}

// --- QUIT, UPDATE and dropped connections ------------------------------------------------

TEST_F(Pop3SessionTest, QuitInAuthorizationClosesWithoutTouchingTheStore) {
    Client client = connect();
    client.send("USER alice\r\n");
    EXPECT_EQ(client.send("QUIT\r\n"), "+OK bye\r\n");
    EXPECT_TRUE(client.closed);
    EXPECT_EQ(client.session().state(), State::closed);
    EXPECT_EQ(store.contents("alice").size(), 2u);
}

TEST_F(Pop3SessionTest, QuitInTransactionRemovesDeletedMessagesAndUnlocks) {
    Client client = logged_in();
    client.send("DELE 1\r\n");
    EXPECT_EQ(client.send("QUIT\r\n"), "+OK bye, 1 messages deleted\r\n");
    EXPECT_TRUE(client.closed);
    EXPECT_FALSE(store.locked("alice"));
    EXPECT_EQ(store.contents("alice"), std::vector<std::string>{std::string(second_message)});
}

// The fuzz target keeps one store for many sessions and rebuilds it when this counter moved.
TEST_F(Pop3SessionTest, StoreChangesCountAddedAndRemovedMessagesOnly) {
    const std::size_t before = store.changes();
    EXPECT_EQ(before, 2u);
    {
        Client client = logged_in();
        client.send("RETR 1\r\nDELE 1\r\nRSET\r\n");
        EXPECT_EQ(client.send("QUIT\r\n"), "+OK bye, 0 messages deleted\r\n");
    }
    EXPECT_EQ(store.changes(), before);
    {
        Client client = logged_in();
        client.send("DELE 1\r\nDELE 2\r\nQUIT\r\n");
    }
    EXPECT_EQ(store.changes(), before + 2);
    store.add_message("alice", "Subject: three\r\n\r\n3\r\n");
    EXPECT_EQ(store.changes(), before + 3);
}

TEST_F(Pop3SessionTest, FailedRemovalIsReportedWithSysTemp) {
    Client client = logged_in();
    client.send("DELE 1\r\n");
    store.fail_removals(true);
    EXPECT_EQ(client.send("QUIT\r\n"), "-ERR [SYS/TEMP] some deleted messages not removed\r\n");
    EXPECT_TRUE(client.closed);
    EXPECT_FALSE(store.locked("alice"));
}

TEST_F(Pop3SessionTest, DroppedConnectionDeletesNothing) {
    Client client = logged_in();
    client.send("DELE 1\r\nDELE 2\r\n");
    client.session().put_eof();
    client.drain();
    EXPECT_TRUE(client.closed);
    EXPECT_EQ(store.contents("alice").size(), 2u);
    EXPECT_FALSE(store.locked("alice"));
}

TEST_F(Pop3SessionTest, EofAfterPipelinedQuitStillRunsUpdate) {
    Client client = logged_in();
    client.session().put("DELE 1\r\nQUIT\r\n");
    client.session().put_eof();
    EXPECT_EQ(client.drain(), "+OK message 1 deleted\r\n+OK bye, 1 messages deleted\r\n");
    EXPECT_EQ(store.contents("alice").size(), 1u);
}

TEST_F(Pop3SessionTest, EofWithAPartialCommandDeletesNothing) {
    Client client = logged_in();
    client.send("DELE 1\r\nQU");
    client.session().put_eof();
    client.drain();
    EXPECT_TRUE(client.closed);
    EXPECT_EQ(store.contents("alice").size(), 2u);
}

TEST_F(Pop3SessionTest, AutologoutDeletesNothing) {
    Client client = logged_in();
    client.send("DELE 1\r\n");
    client.session().timed_out();
    EXPECT_EQ(client.drain(), "-ERR [SYS/TEMP] autologout: idle for too long\r\n");
    EXPECT_TRUE(client.closed);
    EXPECT_EQ(store.contents("alice").size(), 2u);
    EXPECT_FALSE(store.locked("alice"));
}

// --- locking and snapshots ---------------------------------------------------------------

TEST_F(Pop3SessionTest, SecondSessionGetsInUseAndStaysInAuthorization) {
    Client first = logged_in();
    Client second = connect();
    second.send("USER alice\r\n");
    EXPECT_EQ(second.send("PASS alice-pw\r\n"),
              "-ERR [IN-USE] maildrop already locked by another session\r\n");
    EXPECT_EQ(second.session().state(), State::authorization);
    first.send("QUIT\r\n");
    second.send("USER alice\r\n");
    EXPECT_EQ(second.send("PASS alice-pw\r\n").substr(0, 4), "+OK ");
}

TEST_F(Pop3SessionTest, UnopenableMaildropGetsSysPerm) {
    // Good credentials, but the store cannot open the maildrop (a broken or missing folder).
    class NoDrop : public MemoryStore {
      public:
        LockResult open(std::string_view, std::unique_ptr<Maildrop>&) override {
            return LockResult::failed;
        }
    } broken;
    broken.add_account("alice", "alice-pw");
    Client client(plain_config(), broken);
    client.start();
    client.send("USER alice\r\n");
    EXPECT_EQ(client.send("PASS alice-pw\r\n"), "-ERR [SYS/PERM] unable to open the maildrop\r\n");
    EXPECT_EQ(client.session().state(), State::authorization);
}

TEST_F(Pop3SessionTest, MailArrivingDuringASessionIsNotSeenByIt) {
    Client client = logged_in();
    store.add_message("alice", "Subject: three\r\n\r\nlate\r\n");
    EXPECT_EQ(client.send("STAT\r\n"), "+OK 2 " + std::to_string(total_octets()) + "\r\n");
    EXPECT_EQ(client.send("RETR 3\r\n"), "-ERR no such message\r\n");
    client.send("DELE 1\r\nQUIT\r\n");
    const auto left = store.contents("alice");
    ASSERT_EQ(left.size(), 2u);
    EXPECT_EQ(left[1], "Subject: three\r\n\r\nlate\r\n");
}

// --- limits ------------------------------------------------------------------------------

TEST_F(Pop3SessionTest, OverlongLineIsRefusedAndTheSessionGoesOn) {
    Client client = connect();
    EXPECT_EQ(client.send("USER " + std::string(300, 'a') + "\r\n"), "-ERR line too long\r\n");
    EXPECT_EQ(client.send("USER alice\r\n"), "+OK send PASS\r\n");
}

TEST_F(Pop3SessionTest, EndlessLineIsDroppedAsItArrives) {
    Client client = connect();
    for (int i = 0; i < 1000; ++i) {
        EXPECT_EQ(client.send(std::string(1024, 'x')), "");
    }
    EXPECT_EQ(client.send("\r\n"), "-ERR line too long\r\n");
    EXPECT_EQ(client.send("USER alice\r\n"), "+OK send PASS\r\n");
}

TEST_F(Pop3SessionTest, LongestAllowedLineIsAccepted) {
    Client client = connect();
    // 255 octets plus CRLF: "USER " + 250 characters.
    EXPECT_EQ(client.send("USER " + std::string(250, 'a') + "\r\n"), "+OK send PASS\r\n");
}

TEST_F(Pop3SessionTest, HardErrorLimitClosesTheSession) {
    SessionConfig config = plain_config();
    config.hard_error_limit = 3;
    Client client = connect(config);
    client.send("BAD\r\nBAD\r\n");
    EXPECT_FALSE(client.closed);
    EXPECT_EQ(client.send("BAD\r\nUSER alice\r\n"), "-ERR unknown command\r\n");
    EXPECT_TRUE(client.closed);
}

// --- pipelining --------------------------------------------------------------------------

TEST_F(Pop3SessionTest, PipelinedCommandsAreAnsweredInOneWrite) {
    Client client = connect();
    const std::string replies =
        client.send("USER alice\r\nPASS alice-pw\r\nSTAT\r\nLIST 1\r\nDELE 1\r\nQUIT\r\n");
    EXPECT_EQ(client.writes, 2);  // the greeting, then one batch
    EXPECT_EQ(replies, "+OK send PASS\r\n+OK maildrop locked and ready, 2 messages (" +
                           std::to_string(total_octets()) + " octets)\r\n+OK 2 " +
                           std::to_string(total_octets()) + "\r\n+OK 1 " +
                           std::to_string(first_message.size()) +
                           "\r\n+OK message 1 deleted\r\n+OK bye, 1 messages deleted\r\n");
    EXPECT_TRUE(client.closed);
}

TEST_F(Pop3SessionTest, PipelinedRetrsAreHandedOutOneBatchAtATime) {
    store.add_account("big", "big-pw");
    const std::string big = "Subject: big\r\n\r\n" + std::string(100'000, 'x') + "\r\n";
    for (int i = 0; i < 5; ++i) {
        store.add_message("big", big);
    }
    Client client = connect();
    client.send("USER big\r\nPASS big-pw\r\n");
    Session& session = client.session();
    session.put("RETR 1\r\nRETR 2\r\nRETR 3\r\nRETR 4\r\nRETR 5\r\nQUIT\r\n");
    std::size_t writes = 0;
    std::size_t total = 0;
    while (auto event = session.next_event()) {
        if (const auto* write = std::get_if<WriteEvent>(&*event)) {
            EXPECT_LT(write->bytes.size(), big.size() + 64 * 1024) << "a batch grew unbounded";
            total += write->bytes.size();
            ++writes;
        }
    }
    EXPECT_GE(writes, 5u);
    EXPECT_GT(total, 5 * big.size());
    EXPECT_EQ(session.state(), State::closed);
}

TEST_F(Pop3SessionTest, PutTakesNoMoreThanTheBacklogLimit) {
    store.add_account("big", "big-pw");
    store.add_message("big", std::string(200'000, 'y'));
    Client client = connect();
    client.send("USER big\r\nPASS big-pw\r\n");
    std::string pipelined;
    while (pipelined.size() < 200'000) {
        pipelined += "RETR 1\r\n";
    }
    // The first RETR fills a batch; the rest waits, and put stops taking at the backlog limit.
    const std::size_t taken = client.session().put(pipelined);
    EXPECT_LT(taken, pipelined.size());
    EXPECT_GE(taken, 64u * 1024);
}

// --- split at every byte offset ----------------------------------------------------------

// A whole conversation; each split must give the same replies as one put().
const std::string conversation =
    "CAPA\r\nUSER alice\r\nPASS alice-pw\r\nSTAT\r\nLIST\r\nUIDL 2\r\nTOP 2 1\r\nRETR 2\r\n"
    "DELE 1\r\nRSET\r\nDELE 2\r\nBOGUS\r\nLIST 2\r\nQUIT\r\n";

std::string run_split(MemoryStore& store, const std::vector<std::string_view>& pieces) {
    Client client(plain_config(), store);
    std::string replies = client.start();
    for (const auto piece : pieces) {
        replies += client.send(piece);
    }
    return replies;
}

TEST_F(Pop3SessionTest, EverySplitOfAConversationGivesTheSameReplies) {
    MemoryStore reference_store = store;
    const std::string expected = run_split(reference_store, {conversation});
    EXPECT_NE(expected.find("+OK bye, 1 messages deleted"), std::string::npos);
    for (std::size_t cut = 1; cut < conversation.size(); ++cut) {
        MemoryStore fresh = store;
        const std::string_view whole = conversation;
        ASSERT_EQ(run_split(fresh, {whole.substr(0, cut), whole.substr(cut)}), expected)
            << "split at " << cut;
        ASSERT_EQ(fresh.contents("alice"), reference_store.contents("alice"));
    }
    MemoryStore bytewise_store = store;
    std::vector<std::string_view> bytes;
    for (std::size_t i = 0; i < conversation.size(); ++i) {
        bytes.push_back(std::string_view(conversation).substr(i, 1));
    }
    EXPECT_EQ(run_split(bytewise_store, bytes), expected);
}

TEST_F(Pop3SessionTest, EverySplitOfAnAuthExchangeGivesTheSameReplies) {
    const std::string exchange =
        "AUTH PLAIN\r\n" + plain("", "alice", "alice-pw") + "\r\nSTAT\r\nQUIT\r\n";
    MemoryStore reference_store = store;
    const std::string expected = run_split(reference_store, {exchange});
    EXPECT_NE(expected.find("+ \r\n+OK maildrop locked"), std::string::npos);
    for (std::size_t cut = 1; cut < exchange.size(); ++cut) {
        MemoryStore fresh = store;
        const std::string_view whole = exchange;
        ASSERT_EQ(run_split(fresh, {whole.substr(0, cut), whole.substr(cut)}), expected)
            << "split at " << cut;
    }
}

TEST_F(Pop3SessionTest, EverySplitAroundStlsDiscardsTheSamePlaintext) {
    // Whatever the split, nothing after STLS in plaintext is executed.
    const std::string script = "CAPA\r\nSTLS\r\nUSER alice\r\n";
    for (std::size_t cut = 1; cut < script.size(); ++cut) {
        Client client(plain_config(), store);
        client.auto_tls = false;
        client.start();
        const std::string_view whole = script;
        std::string replies = client.send(whole.substr(0, cut));
        replies += client.send(whole.substr(cut));
        EXPECT_TRUE(replies.ends_with("+OK begin TLS negotiation\r\n")) << "split at " << cut;
        EXPECT_EQ(replies.find("send PASS"), std::string::npos) << "split at " << cut;
    }
}

}  // namespace
}  // namespace mh::proto::pop3
