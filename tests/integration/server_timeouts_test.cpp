// The reference server's per-operation deadlines (reference/server/transport.hpp: one timer per
// connection): a silent client is told goodbye after the idle time (RFC 5321 4.5.3.2.7), also
// inside TLS after a handshake whose longer deadline came first, and a client that never reads
// its replies is cut off when a write cannot finish in time.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "tests/integration/line_client.hpp"
#include "tests/integration/test_server.hpp"

namespace mh::integration {
namespace {

using namespace std::chrono_literals;
using reference::Service;
using Clock = std::chrono::steady_clock;

bool sessions_end(reference::Server& server, std::chrono::milliseconds within) {
    const auto until = Clock::now() + within;
    while (server.active_sessions() > 0 && Clock::now() < until) {
        std::this_thread::sleep_for(10ms);
    }
    return server.active_sessions() == 0;
}

TEST(ServerTimeouts, ASilentClientIsToldGoodbyeAfterTheIdleTime) {
    TestServer server([](reference::Config& c) { c.timeouts.smtp_idle = 1s; });
    LineClient client(server.port(Service::smtp));
    ASSERT_EQ(client.reply().substr(0, 4), "220 ");
    const auto start = Clock::now();
    EXPECT_EQ(client.reply(5000ms).substr(0, 10), "421 4.4.2 ");
    EXPECT_GE(since(start), 900ms);
    EXPECT_TRUE(client.closed());
}

TEST(ServerTimeouts, TheIdleTimeAppliesInsideTlsAfterTheLongerHandshakeDeadline) {
    TestServer server([](reference::Config& c) {
        c.timeouts.smtp_idle = 1s;
        c.timeouts.tls_handshake = 30s;  // the connection's timer is first set for this
    });
    LineClient client(server.port(Service::smtp));
    client.reply();
    client.command("EHLO client.example.test");
    ASSERT_EQ(client.command("STARTTLS").substr(0, 3), "220");
    client.starttls();
    ASSERT_TRUE(client.handshake_ok());
    const auto start = Clock::now();
    EXPECT_EQ(client.reply(5000ms).substr(0, 10), "421 4.4.2 ");
    EXPECT_GE(since(start), 900ms);
    EXPECT_LT(since(start), 4000ms);
    EXPECT_TRUE(client.closed());
}

TEST(ServerTimeouts, AClientThatNeverReadsIsCutOffWhenAWriteCannotFinish) {
    TestServer server([](reference::Config& c) { c.timeouts.smtp_idle = 1s; });
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(fd, 0);
    const int small = 4096;  // before connect, so the window stays small
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(server.port(Service::smtp));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    ::fcntl(fd, F_SETFL, O_NONBLOCK);
    // Each EHLO earns a reply ten times its size; none is read, so the server's write stops,
    // then its reads, then our sends: that is when the write deadline runs.
    std::string batch;
    for (int i = 0; i < 100; ++i) {
        batch += "EHLO client.example.test\r\n";
    }
    std::size_t sent = 0;
    bool blocked = false;
    while (!blocked && sent < 64 * 1024 * 1024) {
        const ssize_t n = ::send(fd, batch.data(), batch.size(), MSG_NOSIGNAL);
        if (n > 0) {
            sent += static_cast<std::size_t>(n);
            continue;
        }
        pollfd p{fd, POLLOUT, 0};
        blocked = ::poll(&p, 1, 500) == 0;  // the server has stopped reading for 0.5 s
    }
    const auto start = Clock::now();
    ASSERT_TRUE(blocked) << "the server read " << sent << " bytes without stalling";
    EXPECT_TRUE(sessions_end(server.server(), 6000ms))
        << "the session still waits on its write " << since(start).count() << " ms later";
    ::close(fd);
}

}  // namespace
}  // namespace mh::integration
