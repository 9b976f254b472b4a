// transport::AsyncConnection: many connections make progress at once on one thread, a read
// past its deadline reports a timeout and the connection stays usable, and a refused
// connection is a TransportError. Real TCP on loopback against a small blocking server here.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "harness/transport/async_connection.hpp"

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using mh::harness::transport::AsyncConnection;
using mh::harness::transport::Clock;
using mh::harness::transport::Connection;
using mh::harness::transport::TransportError;

constexpr auto patience = std::chrono::seconds(20);  // never reached unless the test fails

// Reads from `connection` until `out` holds a line.
asio::awaitable<Connection::ReadStatus> read_line(AsyncConnection& connection, std::string& out,
                                                  Clock::time_point deadline) {
    auto status = Connection::ReadStatus::data;
    while (out.find('\n') == std::string::npos && status == Connection::ReadStatus::data) {
        status = co_await connection.read_some(out, deadline);
    }
    co_return status;
}

// The server answers no client before it has read a line from every one of them: only a client
// that keeps all its connections under way at once gets its answers.
TEST(AsyncConnection, ManyConnectionsProgressTogetherOnOneThread) {
    constexpr std::size_t clients = 8;
    asio::io_context server_io;
    tcp::acceptor acceptor(server_io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    const auto port = acceptor.local_endpoint().port();
    std::thread server([&] {
        std::vector<std::unique_ptr<tcp::socket>> sockets;
        std::vector<std::string> lines(clients);
        for (std::size_t i = 0; i < clients; ++i) {
            sockets.push_back(std::make_unique<tcp::socket>(acceptor.accept()));
            asio::read_until(*sockets.back(), asio::dynamic_buffer(lines[i]), '\n');
        }
        for (std::size_t i = clients; i-- > 0;) {  // in reverse order
            asio::write(*sockets[i], asio::buffer("echo " + lines[i]));
        }
    });

    asio::io_context io(1);
    std::vector<std::string> answers(clients);
    for (std::size_t i = 0; i < clients; ++i) {
        asio::co_spawn(
            io,
            [&, i]() -> asio::awaitable<void> {
                AsyncConnection connection(io, {});
                const auto deadline = Clock::now() + patience;
                co_await connection.open("127.0.0.1", port, false, deadline);
                co_await connection.write("client " + std::to_string(i) + "\r\n", deadline);
                co_await read_line(connection, answers[i], deadline);
            },
            asio::detached);
    }
    io.run();
    server.join();
    for (std::size_t i = 0; i < clients; ++i) {
        EXPECT_EQ(answers[i], "echo client " + std::to_string(i) + "\r\n");
    }
}

TEST(AsyncConnection, AReadPastItsDeadlineTimesOutAndTheConnectionGoesOn) {
    asio::io_context server_io;
    tcp::acceptor acceptor(server_io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    const auto port = acceptor.local_endpoint().port();
    std::thread server([&] {
        tcp::socket socket = acceptor.accept();
        std::string line;
        asio::read_until(socket, asio::dynamic_buffer(line), '\n');  // after the client's timeout
        asio::write(socket, asio::buffer(std::string("late\r\n")));
    });

    asio::io_context io(1);
    Connection::ReadStatus first = Connection::ReadStatus::data;
    Connection::ReadStatus second = Connection::ReadStatus::timeout;
    std::string received;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            AsyncConnection connection(io, {});
            co_await connection.open("127.0.0.1", port, false, Clock::now() + patience);
            first = co_await connection.read_some(received,
                                                  Clock::now() + std::chrono::milliseconds(50));
            co_await connection.write("go on\r\n", Clock::now() + patience);
            second = co_await read_line(connection, received, Clock::now() + patience);
        },
        asio::detached);
    io.run();
    server.join();
    EXPECT_EQ(first, Connection::ReadStatus::timeout);
    EXPECT_EQ(second, Connection::ReadStatus::data);
    EXPECT_EQ(received, "late\r\n");
}

TEST(AsyncConnection, ARefusedConnectionIsATransportError) {
    std::uint16_t port = 0;
    {
        asio::io_context probe;
        tcp::acceptor acceptor(probe, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
        port = acceptor.local_endpoint().port();
    }  // closed: nothing listens there now
    asio::io_context io(1);
    std::optional<TransportError::Kind> kind;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            AsyncConnection connection(io, {});
            try {
                co_await connection.open("127.0.0.1", port, false, Clock::now() + patience);
            } catch (const TransportError& error) {
                kind = error.kind();
            }
        },
        asio::detached);
    io.run();
    ASSERT_TRUE(kind.has_value());
    EXPECT_EQ(*kind, TransportError::Kind::refused);
}

}  // namespace
