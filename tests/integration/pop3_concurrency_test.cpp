// POP3 under concurrency (issue 8): delivery during a POP3 session, two sessions racing for the
// maildrop lock, DELE then a dropped connection, and fetch-and-delete while mail keeps
// arriving. Nothing is lost or duplicated, and UIDLs stay stable. Runs under TSan too.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/line_client.hpp"
#include "tests/integration/test_server.hpp"

namespace mh::integration {
namespace {

using reference::Service;

void send_message(std::uint16_t port, const std::string& token) {
    ASSERT_EQ(
        send_mail(port, "alice@example.test", "Subject: " + token + "\r\n\r\n" + token + "\r\n")
            .substr(0, 3),
        "250");
}

// A logged-in POP3 session (plaintext logins allowed for the test).
class Pop3 {
  public:
    explicit Pop3(std::uint16_t port) : client_(port) { greeting_ = client_.line(); }
    // "+OK" or the -ERR line (for example [IN-USE]).
    std::string login() {
        client_.send("USER alice\r\n");
        client_.line();
        client_.send("PASS alice-pw\r\n");
        return client_.line();
    }
    std::string command(const std::string& text) {
        client_.send(text + "\r\n");
        return client_.line();
    }
    // A multi-line response without the status line and the final dot.
    std::vector<std::string> listing(const std::string& text) {
        std::vector<std::string> lines;
        if (command(text).substr(0, 3) != "+OK") {
            return lines;
        }
        for (auto line = client_.next_line(); line && *line != "."; line = client_.next_line()) {
            lines.push_back(line->starts_with("..") ? line->substr(1) : *line);  // RFC 1939 3
        }
        return lines;
    }
    // message number -> unique id
    std::map<int, std::string> uidl() {
        std::map<int, std::string> out;
        for (const auto& line : listing("UIDL")) {
            const auto space = line.find(' ');
            out[std::stoi(line.substr(0, space))] = line.substr(space + 1);
        }
        return out;
    }
    std::string subject_of(int number) {
        for (const auto& line : listing("RETR " + std::to_string(number))) {
            if (line.rfind("Subject: ", 0) == 0) {
                return line.substr(9);
            }
        }
        return {};
    }
    void drop() { client_.close(); }

  private:
    LineClient client_;
    std::string greeting_;
};

std::set<std::string> values(const std::map<int, std::string>& map) {
    std::set<std::string> out;
    for (const auto& [number, value] : map) {
        out.insert(value);
    }
    return out;
}

class Pop3Concurrency : public ::testing::Test {
  protected:
    TestServer server{[](reference::Config& c) { c.auth_requires_tls = false; }};
    std::uint16_t smtp = server.port(Service::smtp);
    std::uint16_t pop3 = server.port(Service::pop3);
};

TEST_F(Pop3Concurrency, DeliveryDuringASessionAppearsInTheNextOneWithStableUidls) {
    for (int i = 0; i < 3; ++i) {
        send_message(smtp, "before-" + std::to_string(i));
    }
    Pop3 first(pop3);
    ASSERT_EQ(first.login().substr(0, 3), "+OK");
    const auto before = first.uidl();
    ASSERT_EQ(before.size(), 3U);
    send_message(smtp, "during");
    EXPECT_EQ(first.uidl(), before);  // the session works on its snapshot
    EXPECT_EQ(first.command("DELE 1").substr(0, 3), "+OK");
    EXPECT_EQ(first.command("QUIT").substr(0, 3), "+OK");

    Pop3 second(pop3);
    ASSERT_EQ(second.login().substr(0, 3), "+OK");
    const auto after = values(second.uidl());
    EXPECT_EQ(after.size(), 3U);
    EXPECT_EQ(after.count(before.at(1)), 0U);  // deleted
    EXPECT_EQ(after.count(before.at(2)), 1U);  // same UIDL as before
    EXPECT_EQ(after.count(before.at(3)), 1U);
}

TEST_F(Pop3Concurrency, TwoSessionsRacingForTheLockNeverBothHoldIt) {
    send_message(smtp, "one");
    std::atomic<int> holders{0};
    std::atomic<int> overlaps{0};
    std::atomic<int> in_use{0};
    std::atomic<int> wins{0};
    auto racer = [&] {
        for (int i = 0; i < 20; ++i) {
            Pop3 session(pop3);
            const std::string answer = session.login();
            if (answer.substr(0, 3) == "+OK") {
                if (++holders > 1) {
                    ++overlaps;
                }
                ++wins;
                session.command("STAT");
                --holders;
                session.command("QUIT");
            } else {
                EXPECT_NE(answer.find("[IN-USE]"), std::string::npos) << answer;
                ++in_use;
            }
        }
    };
    std::thread a(racer);
    std::thread b(racer);
    a.join();
    b.join();
    EXPECT_EQ(overlaps.load(), 0);
    EXPECT_GT(wins.load(), 0);
    EXPECT_EQ(wins.load() + in_use.load(), 40);
}

TEST_F(Pop3Concurrency, DeleThenADroppedConnectionDeletesNothing) {
    for (int i = 0; i < 3; ++i) {
        send_message(smtp, "keep-" + std::to_string(i));
    }
    std::map<int, std::string> before;
    {
        Pop3 session(pop3);
        ASSERT_EQ(session.login().substr(0, 3), "+OK");
        before = session.uidl();
        for (int i = 1; i <= 3; ++i) {
            EXPECT_EQ(session.command("DELE " + std::to_string(i)).substr(0, 3), "+OK");
        }
        session.drop();  // no QUIT: no UPDATE state (RFC 1939 6)
    }
    // The server notices the drop and releases the lock.
    std::string answer;
    Pop3* holder = nullptr;
    std::vector<std::unique_ptr<Pop3>> tries;
    for (int i = 0; i < 100; ++i) {
        tries.push_back(std::make_unique<Pop3>(pop3));
        answer = tries.back()->login();
        if (answer.substr(0, 3) == "+OK") {
            holder = tries.back().get();
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ASSERT_NE(holder, nullptr) << answer;
    EXPECT_EQ(holder->uidl(), before);
}

TEST_F(Pop3Concurrency, FetchAndDeleteWhileMailArrivesLosesAndDuplicatesNothing) {
    constexpr int senders = 3;
    constexpr int per_sender = 15;
    std::vector<std::thread> threads;
    for (int s = 0; s < senders; ++s) {
        threads.emplace_back([&, s] {
            for (int i = 0; i < per_sender; ++i) {
                send_message(smtp, "msg-" + std::to_string(s) + "-" + std::to_string(i));
            }
        });
    }
    constexpr std::size_t total = senders * per_sender;
    std::multiset<std::string> fetched;       // from sessions that ended with QUIT
    std::map<std::string, std::string> seen;  // UIDL -> subject, across every session
    std::atomic<bool> sending{true};
    std::thread fetcher([&] {
        const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        for (int round = 0;
             (sending || fetched.size() < total) && std::chrono::steady_clock::now() < give_up;
             ++round) {
            Pop3 session(pop3);
            if (session.login().substr(0, 3) != "+OK") {
                // A dropped session's lock is released once the server sees the drop.
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
                continue;
            }
            std::vector<std::string> subjects;
            for (const auto& [number, uid] : session.uidl()) {
                const std::string subject = session.subject_of(number);
                const auto [it, fresh] = seen.emplace(uid, subject);
                EXPECT_EQ(it->second, subject) << "UIDL " << uid << " changed its message";
                subjects.push_back(subject);
                session.command("DELE " + std::to_string(number));
            }
            // Every other round drops the connection instead of QUIT: its DELEs must not count,
            // and a later round fetches those messages again under the same UIDLs.
            if (round % 2 == 0) {
                session.command("QUIT");
                fetched.insert(subjects.begin(), subjects.end());
            } else {
                session.drop();
            }
        }
    });
    for (auto& thread : threads) {
        thread.join();
    }
    sending = false;
    fetcher.join();
    const std::set<std::string> unique(fetched.begin(), fetched.end());
    EXPECT_EQ(fetched.size(), total);                                      // nothing twice
    EXPECT_EQ(unique.size(), total) << ::testing::PrintToString(fetched);  // nothing lost
}

}  // namespace
}  // namespace mh::integration
