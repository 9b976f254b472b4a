// The fetch client against a scripted POP3 server that misbehaves: errors must name the problem
// and carry the right exit code, and nothing half-received may land in the Maildir.

#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include <string>
#include <thread>
#include <vector>

#include "reference/clients/client_error.hpp"
#include "reference/clients/fetch_client.hpp"
#include "tests/reference/temp_dir.hpp"

namespace mh::reference::clients {
namespace {

namespace asio = boost::asio;

// Sends the greeting, then one scripted answer per command line; closes after the script.
class ScriptedPop3Server {
  public:
    explicit ScriptedPop3Server(std::vector<std::string> answers)
        : acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}),
          thread_([this, answers = std::move(answers)] { serve(answers); }) {}
    ~ScriptedPop3Server() { thread_.join(); }

    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

  private:
    void serve(const std::vector<std::string>& answers) {
        asio::ip::tcp::socket socket = acceptor_.accept();
        boost::system::error_code ec;
        asio::write(socket, asio::buffer(std::string("+OK scripted\r\n")), ec);
        asio::streambuf input;
        for (const auto& answer : answers) {
            if (asio::read_until(socket, input, "\r\n", ec) == 0 || ec) {
                return;
            }
            input.consume(input.size());  // one command per answer
            asio::write(socket, asio::buffer(answer), ec);
        }
    }

    asio::io_context io_;
    asio::ip::tcp::acceptor acceptor_;
    std::thread thread_;
};

FetchOptions options_for(std::uint16_t port, const std::filesystem::path& maildir) {
    FetchOptions options;
    options.port = port;
    options.tls = Pop3Tls::none;
    options.user = "alice";
    options.password = "pw";
    options.maildir = maildir;
    options.timeout = std::chrono::seconds(5);
    return options;
}

ClientError fetch_error(const FetchOptions& options) {
    try {
        fetch_messages(options);
    } catch (const ClientError& e) {
        return e;
    }
    ADD_FAILURE() << "fetch succeeded";
    return ClientError(ExitCode::ok, "");
}

TEST(FetchFaultsTest, KeepModeWithoutUidlSaysToUseDelete) {
    testing::TempDir dir;
    ScriptedPop3Server server({"+OK\r\n", "+OK\r\n", "-ERR unknown command\r\n"});
    const auto error = fetch_error(options_for(server.port(), dir.path()));
    EXPECT_EQ(error.code(), ExitCode::refused);
    EXPECT_NE(std::string(error.what()).find("keep mode needs UIDL"), std::string::npos);
}

TEST(FetchFaultsTest, ConnectionLostDuringRetrStoresNothing) {
    testing::TempDir dir;
    ScriptedPop3Server server(
        {"+OK\r\n", "+OK\r\n", "+OK\r\n1 u1\r\n.\r\n", "+OK 20 octets\r\nSubject: x\r\n\r\nhal"});
    const auto error = fetch_error(options_for(server.port(), dir.path()));
    EXPECT_EQ(error.code(), ExitCode::protocol);
    EXPECT_TRUE(std::filesystem::is_empty(dir.path() / "new"));
}

TEST(FetchFaultsTest, MalformedListingIsAProtocolError) {
    testing::TempDir dir;
    ScriptedPop3Server server({"+OK\r\n", "+OK\r\n", "+OK\r\nnot-a-number u1\r\n.\r\n"});
    const auto error = fetch_error(options_for(server.port(), dir.path()));
    EXPECT_EQ(error.code(), ExitCode::protocol);
    EXPECT_NE(std::string(error.what()).find("malformed UIDL line"), std::string::npos);
}

TEST(FetchFaultsTest, RefusedDeleteQuitReportsUncommittedDeletions) {
    testing::TempDir dir;
    ScriptedPop3Server server({"+OK\r\n", "+OK\r\n", "+OK\r\n1 5\r\n.\r\n", "+OK\r\nabc\r\n.\r\n",
                               "+OK\r\n", "-ERR [SYS/TEMP] busy\r\n"});
    auto options = options_for(server.port(), dir.path());
    options.delete_after = true;
    const auto error = fetch_error(options);
    EXPECT_EQ(error.code(), ExitCode::refused);
    EXPECT_NE(std::string(error.what()).find("not committed"), std::string::npos) << error.what();
    EXPECT_FALSE(std::filesystem::is_empty(dir.path() / "new")) << "the message was stored first";
}

}  // namespace
}  // namespace mh::reference::clients
