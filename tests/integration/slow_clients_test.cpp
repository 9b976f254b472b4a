// Slow and idle clients never starve the others (issue 8): with 1,000 connections open, half
// of them silent and half sending one byte a second, a normal client still completes a mail
// transaction (greeting to QUIT) within a second.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include "tests/integration/line_client.hpp"
#include "tests/integration/test_server.hpp"

namespace mh::integration {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr int held_connections = 1000;

// Room for the held sockets, the server's ends of them and the rest.
void raise_descriptor_limit() {
    rlimit limit{};
    ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &limit), 0);
    const rlim_t wanted = 4 * held_connections + 256;
    if (limit.rlim_cur < wanted) {
        limit.rlim_cur = std::min(wanted, limit.rlim_max);
        ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &limit), 0);
    }
    ASSERT_GE(limit.rlim_cur, wanted) << "the hard descriptor limit is too low for the test";
}

int connect_to(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        if (fd >= 0) {
            ::close(fd);
        }
        return -1;
    }
    return fd;
}

TEST(SlowClients, AThousandIdleAndTricklingConnectionsDoNotDelayANormalClient) {
    raise_descriptor_limit();
    TestServer server([](reference::Config& c) {
        c.server_limits.connections = 2 * held_connections;
        c.server_limits.connections_per_address = 2 * held_connections;
    });
    const auto port = server.port(reference::Service::smtp);
    std::vector<int> held;
    for (int i = 0; i < held_connections; ++i) {
        const int fd = connect_to(port);
        ASSERT_GE(fd, 0) << "connection " << i;
        held.push_back(fd);
    }
    for (int i = 0; i < 500 && server.server().active_sessions() < held_connections; ++i) {
        std::this_thread::sleep_for(10ms);
    }
    ASSERT_EQ(server.server().active_sessions(), std::size_t{held_connections});
    // Every other connection trickles a command line, one byte a second.
    std::atomic<bool> done{false};
    std::thread trickler([&] {
        while (!done) {
            for (std::size_t i = 1; i < held.size(); i += 2) {
                (void)!::send(held[i], "N", 1, MSG_NOSIGNAL | MSG_DONTWAIT);
            }
            for (int t = 0; t < 10 && !done; ++t) {
                std::this_thread::sleep_for(100ms);
            }
        }
    });
    std::vector<std::chrono::microseconds> times;
    for (int round = 0; round < 5; ++round) {
        const auto start = Clock::now();
        ASSERT_EQ(send_mail(port, "bob@example.test", "Subject: hi\r\n\r\nbody\r\n").substr(0, 3),
                  "250");
        times.push_back(
            std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start));
        std::this_thread::sleep_for(300ms);
    }
    done = true;
    trickler.join();
    std::sort(times.begin(), times.end());
    std::printf("figure: %d held connections; normal transaction median %.1f ms, max %.1f ms\n",
                held_connections, static_cast<double>(times[times.size() / 2].count()) / 1000.0,
                static_cast<double>(times.back().count()) / 1000.0);
    EXPECT_LT(times[times.size() / 2], 1000ms);
    for (int fd : held) {
        ::close(fd);
    }
}

}  // namespace
}  // namespace mh::integration
