// The executor against a deliberately broken server (tests/support/broken_server.py): every
// kind of misbehaviour ends as a precise failure, never a hang or a crash; skip, waiver and
// exit codes follow; an unreachable target gives exit code 3; --jobs 64 against a slow target
// keeps connections and file descriptors bounded.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "harness/report/reports.hpp"
#include "harness/run/runner.hpp"
#include "harness/scenario/suite_loader.hpp"
#include "harness/scoring.hpp"
#include "tests/support/broken_server.hpp"

namespace mh::harness {
namespace {

namespace sc = scenario;

// The broken server of tests/support/broken_server.py.
struct BrokenServer : test::BrokenServer {
    explicit BrokenServer(const std::string& options = "")
        : test::BrokenServer(MH_TEST_SOURCE_DIR "/support/broken_server.py", options) {}
};

sc::TargetProfile profile_for(std::uint16_t port) {
    sc::TargetProfile profile = sc::embedded_default_profile("127.0.0.1", port, 0);
    profile.name = "broken";
    profile.smtp->tls = sc::TlsMode::none;
    profile.waivers = {{"broken/waived", "known"}, {"broken/stale-*", "no longer needed"}};
    return profile;
}

std::vector<sc::Suite> load(const std::filesystem::path& file) {
    auto load = sc::load_suite(file);
    EXPECT_TRUE(load.errors.empty()) << load.errors.at(0).format();
    std::vector<sc::Suite> suites;
    suites.push_back(std::move(*load.suite));
    return suites;
}

std::vector<sc::Suite> broken_suite() {
    return load(MH_TEST_SOURCE_DIR "/harness/data/broken.yaml");
}

std::map<std::string, const CaseResult*> results_by_id(const RunResult& run) {
    std::map<std::string, const CaseResult*> out;
    for (const auto& result : run.cases) {
        out[result.id] = &result;
    }
    return out;
}

// What one SMTP command line gets from the server, on a connection of its own.
std::string ask(std::uint16_t port, const std::string& command) {
    auto suite = std::filesystem::temp_directory_path() / "mh_executor_ask.yaml";
    std::ofstream(suite) << "suite: ask\nprotocol: smtp\ncases:\n  - id: ask\n    steps:\n"
                            "      - expect: 220\n      - send: "
                         << command << "\n      - expect: 2xx\n";
    const auto suites = load(suite);
    std::filesystem::remove(suite);
    const RunResult run = run::run_suites(suites, profile_for(port), {});
    const auto& transcript = run.cases.at(0).transcript;
    return transcript.empty() ? "" : transcript.back().text;
}

// This process's open file descriptors, and how many of them are sockets, all open at one
// instant. A scan of /proc/self/fd is not atomic: while it runs, a finished case may close its
// socket and the next case open one at a higher number, and the scan would count both (65
// sockets for 64 jobs, seen once in CI). So every descriptor is read twice, and only those
// that point at the same file after the scan count: each of them was open when the scan ended.
struct Descriptors {
    std::size_t all = 0;
    std::size_t sockets = 0;
};
Descriptors open_file_descriptors() {
    std::map<std::filesystem::path, std::string> scanned;
    for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
        std::error_code ec;
        scanned[entry.path()] = std::filesystem::read_symlink(entry.path(), ec).string();
    }
    Descriptors count;
    for (const auto& [path, target] : scanned) {
        std::error_code ec;
        if (std::filesystem::read_symlink(path, ec).string() != target || ec) {
            continue;  // closed, or reused, while the scan ran
        }
        ++count.all;
        if (target.rfind("socket:", 0) == 0) {
            ++count.sockets;
        }
    }
    return count;
}

TEST(ExecutorBrokenServer, EachMisbehaviourIsAPreciseFailure) {
    BrokenServer server;
    ASSERT_NE(server.port(), 0);
    const auto suites = broken_suite();
    run::RunOptions options;
    options.jobs = 3;
    const RunResult run = run::run_suites(suites, profile_for(server.port()), options);

    std::map<std::string, const CaseResult*> by_id;
    for (const auto& result : run.cases) {
        by_id[result.id] = &result;
    }
    ASSERT_EQ(by_id.size(), 9u);
    EXPECT_EQ(run.cases.front().id, "passes");  // file order, whatever finished first
    EXPECT_EQ(by_id["passes"]->outcome, Outcome::pass) << by_id["passes"]->message;

    const CaseResult& malformed = *by_id["malformed-multiline"];
    EXPECT_EQ(malformed.outcome, Outcome::fail);
    EXPECT_EQ(malformed.failed_step, 2u);  // expect 220, send EHLO, expect 250
    EXPECT_NE(
        malformed.message.find("line 2 of the reply lacks the code-hyphen continuation (\"250-\")"),
        std::string::npos)
        << malformed.message;
    EXPECT_EQ(malformed.expected, "250");
    EXPECT_EQ(malformed.actual, "250-broken.test\nPIPELINING\n250 SIZE 1000");

    EXPECT_NE(
        by_id["mixed-codes"]->message.find("line 2 of the reply has code 251 but line 1 has 250"),
        std::string::npos);

    const CaseResult& wrong = *by_id["wrong-code"];
    EXPECT_EQ(wrong.outcome, Outcome::fail);
    EXPECT_NE(wrong.message.find("reply code 500, expected 250"), std::string::npos)
        << wrong.message;
    EXPECT_EQ(wrong.expected, "{code: 250, enhanced: 2.0.0}");
    EXPECT_EQ(wrong.actual, "500 5.5.1 what");
    ASSERT_FALSE(wrong.transcript.empty());
    EXPECT_EQ(wrong.transcript.back().text, "500 5.5.1 what");

    const CaseResult& silence = *by_id["silence"];
    EXPECT_EQ(silence.outcome, Outcome::fail);
    EXPECT_EQ(silence.actual.substr(0, 15), "nothing within ");
    EXPECT_LT(silence.duration_ms, 2000);

    const CaseResult& closed = *by_id["early-close"];
    EXPECT_EQ(closed.outcome, Outcome::fail);
    EXPECT_EQ(closed.actual, "the server closed the connection");

    const CaseResult& endless = *by_id["endless-line"];
    EXPECT_EQ(endless.outcome, Outcome::fail);
    EXPECT_EQ(endless.actual.substr(0, 40), "more data than the harness accepts for o");

    EXPECT_EQ(by_id["skipped"]->outcome, Outcome::skip);
    EXPECT_EQ(by_id["skipped"]->message, "the target does not advertise CHUNKING (EHLO)");
    EXPECT_EQ(by_id["waived"]->outcome, Outcome::waived);
    EXPECT_EQ(by_id["waived"]->waiver_reason, "known");
    EXPECT_EQ(run.unused_waivers, std::vector<std::string>{"broken/stale-*"});
    EXPECT_EQ(run.target.smtp_capabilities, (std::vector<std::string>{"PIPELINING", "SIZE 1000"}));

    EXPECT_EQ(run_exit_code(run, FailOn::must, std::nullopt), 1);
}

TEST(ExecutorBrokenServer, SelectionAndShardsAreStable) {
    const auto suites = broken_suite();
    sc::Selection selection;
    selection.case_globs = {"broken/*-c*"};
    const auto picked = run::select_cases(suites, selection, std::nullopt);
    ASSERT_EQ(picked.size(), 3u);
    EXPECT_EQ(picked[0].kase->id, "mixed-codes");
    EXPECT_EQ(picked[1].kase->id, "wrong-code");
    EXPECT_EQ(picked[2].kase->id, "early-close");
    std::size_t total = 0;
    for (unsigned i = 1; i <= 3; ++i) {
        total += run::select_cases(suites, {}, run::Shard{i, 3}).size();
    }
    EXPECT_EQ(total, suites[0].cases.size());
}

TEST(ExecutorBrokenServer, UnreachableTargetGivesExitCode3) {
    const auto suites = broken_suite();
    run::RunOptions options;
    options.jobs = 2;
    const RunResult run =
        run::run_suites(suites, profile_for(1), options);  // nothing listens on port 1
    EXPECT_TRUE(run.target_unreachable);
    for (const auto& result : run.cases) {
        EXPECT_EQ(result.outcome, Outcome::error) << result.id;
        EXPECT_EQ(result.message, "target unreachable: connection to 127.0.0.1:1 refused");
    }
    EXPECT_EQ(run_exit_code(run, FailOn::must, std::nullopt), 3);
}

// Issue 8: each misbehaviour is a failing case with a precise message; the run goes on.
TEST(ExecutorBrokenServer, MisbehavingTargetsFailPreciselyAndTheRunGoesOn) {
    BrokenServer server;
    ASSERT_NE(server.port(), 0);
    const auto suites = load(MH_TEST_SOURCE_DIR "/harness/data/misbehaving.yaml");
    run::RunOptions options;
    options.jobs = 2;
    const RunResult run = run::run_suites(suites, profile_for(server.port()), options);
    auto cases = results_by_id(run);
    ASSERT_EQ(cases.size(), 9u);
    const auto fails_with = [&](const std::string& id, const std::string& actual) {
        const CaseResult& result = *cases.at(id);
        EXPECT_EQ(result.outcome, Outcome::fail) << id << ": " << result.message;
        EXPECT_EQ(result.actual.substr(0, actual.size()), actual) << id << ": " << result.message;
        EXPECT_EQ(result.failed_step, 2u) << id;
        EXPECT_LT(result.duration_ms, 5000) << id;
    };
    fails_with("never-answers", "nothing within 3");
    fails_with("answers-forever", "250-more\n250-more\n");
    EXPECT_NE(cases.at("answers-forever")->message.find("the reply was cut off after 1000 lines"),
              std::string::npos)
        << cases.at("answers-forever")->message;
    fails_with("megabytes-without-crlf",
               "more data than the harness accepts for one reply, without its end (cut off): "
               "\"xxxx");
    fails_with("closes-mid-line", "250 half a rep");
    EXPECT_NE(cases.at("closes-mid-line")
                  ->message.find("the reply breaks the grammar: line 1 of the reply has no line "
                                 "end (the connection closed)"),
              std::string::npos)
        << cases.at("closes-mid-line")->message;
    fails_with("tcp-reset", "the server reset the connection (TCP RST)");
    // The transcript keeps the bytes; every report escapes what its format cannot carry.
    fails_with("invalid-utf8", "250 caf\xC3( \xFF\xFE done");
    EXPECT_NE(report::render_json(run).find("caf\\\\xC3( \\\\xFF\\\\xFE done"), std::string::npos);
    fails_with("nul-byte", "250 nul\\x00inside");

    const CaseResult& alert = *cases.at("tls-alert-mid-session");
    EXPECT_EQ(alert.outcome, Outcome::fail) << alert.message;
    EXPECT_EQ(alert.failed_step, 3u);
    // OpenSSL's reason depends on the cipher: a raw alert record fails the AEAD check.
    EXPECT_NE(alert.message.find("): the TLS session failed: "), std::string::npos)
        << alert.message;

    EXPECT_EQ(cases.at("still-running-after-all")->outcome, Outcome::pass)
        << cases.at("still-running-after-all")->message;
    EXPECT_EQ(run_exit_code(run, FailOn::must, std::nullopt), 1);
}

// A server that accepts connections and never sends a byte: the probe gives up after its
// timeout, the case fails on the missing greeting, the exit code is 1 (the target was reached).
TEST(ExecutorBrokenServer, ATargetThatNeverGreetsFailsEachCase) {
    BrokenServer server("--mute");
    ASSERT_NE(server.port(), 0);
    const auto suites = broken_suite();
    run::RunOptions options;
    options.jobs = 4;
    options.probe_timeout = scenario::Duration(300);
    options.selection.case_globs = {"broken/silence"};  // its timeout is 300 ms
    const RunResult run = run::run_suites(suites, profile_for(server.port()), options);
    ASSERT_EQ(run.cases.size(), 1u);
    for (const auto& result : run.cases) {
        EXPECT_EQ(result.outcome, Outcome::fail) << result.id;
        EXPECT_EQ(result.failed_step, 0u) << result.id;
        EXPECT_EQ(result.actual.substr(0, 15), "nothing within ") << result.id;
    }
    EXPECT_FALSE(run.target_unreachable);
    EXPECT_EQ(run_exit_code(run, FailOn::must, std::nullopt), 1);
}

// --jobs 64 against a slow target: never more than 64 connections at once (the server counts
// them), and this process's file descriptors stay bounded while the cases run.
TEST(ExecutorBrokenServer, SixtyFourJobsKeepConnectionsAndDescriptorsBounded) {
    BrokenServer server;
    ASSERT_NE(server.port(), 0);
    const auto suite = std::filesystem::temp_directory_path() / "mh_executor_slow.yaml";
    {
        std::ofstream out(suite);
        out << "suite: slow\nprotocol: smtp\ncases:\n";
        for (int i = 0; i < 160; ++i) {
            out << "  - id: slow-" << i
                << "\n    steps: [{expect: 220}, {send: SLOW}, {expect: 250}, {send: SLOW}, "
                   "{expect: 250}]\n";
        }
    }
    const auto suites = load(suite);
    std::filesystem::remove(suite);
    const Descriptors before = open_file_descriptors();
    std::atomic<std::size_t> most{0}, most_sockets{0};
    run::RunOptions options;
    options.jobs = 64;
    options.on_case_done = [&](const CaseResult&) {  // never called concurrently
        const Descriptors now = open_file_descriptors();
        most = std::max(most.load(), now.all);
        most_sockets = std::max(most_sockets.load(), now.sockets);
    };
    const RunResult run = run::run_suites(suites, profile_for(server.port()), options);
    ASSERT_EQ(run.cases.size(), 160u);
    for (const auto& result : run.cases) {
        ASSERT_EQ(result.outcome, Outcome::pass) << result.id << ": " << result.message;
    }
    // Per open case: its socket and its io_context's epoll, eventfd and timerfd.
    EXPECT_LE(most_sockets.load(), before.sockets + 64);
    EXPECT_LE(most.load(), before.all + 64 * 4 + 8) << "before the run: " << before.all;
    EXPECT_LE(open_file_descriptors().all, before.all + 2);  // nothing leaks once the run is over
    const std::string stats = ask(server.port(), "STATS");
    ASSERT_EQ(stats.rfind("250 max-concurrent ", 0), 0u) << stats;
    const int concurrent = std::stoi(stats.substr(19));
    // The server counts a connection until it reads its end, a moment after the harness
    // closed it and opened the next one; on a loaded machine a few closes are still unread
    // (67 seen at load 5). The exact bound is the client's socket count above; this one only
    // has to tell 64 jobs from an unbounded run, which would hold all 160 cases open at once.
    EXPECT_LE(concurrent, 64 + 8);
    EXPECT_GE(concurrent, 8);  // the cases did run in parallel
}

}  // namespace
}  // namespace mh::harness
