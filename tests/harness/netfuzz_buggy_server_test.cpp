// The network fuzzer (`mailharness fuzz`, harness/fuzz/) against tests/support/buggy_server.py:
// it finds each planted bug within bounded, seeded campaigns, and the suite file it writes for
// a finding fails when `mailharness run` replays it on the same server. A short campaign
// against the embedded reference finds nothing.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "../support/broken_server.hpp"
#include "../support/shell_command.hpp"

namespace {

using Outcome = mh::test::CommandOutcome;

Outcome mailharness(const std::string& arguments) {
    return mh::test::run_shell(std::string(MH_BINARY) + " " + arguments);
}

std::filesystem::path scratch(const std::string& name) {
    const auto path = std::filesystem::temp_directory_path() /
                      ("mh-netfuzz-" + name + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(path);
    return path;
}

const std::string seeds =
    std::string(MH_SOURCE_DIR "/suites/smtp ") + MH_SOURCE_DIR "/suites/security";
// One ordinary conversation per command the buggy server has a bug behind: the mutants of these
// few seeds reach the planted bugs far sooner than those of the bundled suites' hundreds.
const std::string planted_bug_seeds =
    MH_SOURCE_DIR "/tests/harness/data/netfuzz/planted-bug-seeds.yaml";

TEST(NetworkFuzzer, FindsEveryPlantedBugAndItsReproducersFail) {
    mh::test::BrokenServer server(MH_SOURCE_DIR "/tests/support/buggy_server.py");
    const std::string smtp = "--smtp 127.0.0.1:" + std::to_string(server.port());
    const auto out = scratch("buggy");
    const std::array<const char*, 4> planted_bugs = {"crash MAIL", "hang NOOP", "grammar HELP",
                                                     "acceptance DATA"};
    std::map<std::string, std::string> confirmed;  // "oracle state" -> a reproducer that fails
    std::string outputs;
    // A planted bug counts once a finding for it has a reproducer that fails when `mailharness
    // run` replays it. Seeded 15 s campaigns until every bug is confirmed, at most four: the
    // crash needs a rare mutant of the MAIL seed (a line lengthened past 300 octets), and three
    // rounds missed it in about one run of three even on an idle machine; an ASan build on a
    // loaded CI machine runs a fraction of the conversations. Most of a campaign against this
    // server goes to confirming and minimising findings (the other job waits meanwhile), so each
    // minimisation gets 30 conversations instead of 150.
    const auto all_confirmed = [&] {
        return std::all_of(planted_bugs.begin(), planted_bugs.end(),
                           [&](const char* planted) { return confirmed.count(planted) != 0; });
    };
    for (int attempt = 1; attempt <= 4 && !all_confirmed(); ++attempt) {
        const auto folder = out / std::to_string(attempt);
        const Outcome fuzz = mailharness("fuzz " + smtp + " --seeds " + planted_bug_seeds +
                                         " --duration 15s --jobs 2 --timeout 500ms "
                                         "--minimise-attempts 30 --seed " +
                                         std::to_string(attempt) + " --out " + folder.string());
        EXPECT_EQ(fuzz.exit_code, 1) << fuzz.output;
        outputs += fuzz.output;
        std::ifstream summary_file(folder / "summary.json");
        const auto summary = nlohmann::json::parse(summary_file, nullptr, false);
        ASSERT_FALSE(summary.is_discarded()) << fuzz.output;
        for (const auto& finding : summary["findings"]) {
            const std::string bug =
                finding["oracle"].get<std::string>() + " " + finding["state"].get<std::string>();
            if (std::find(planted_bugs.begin(), planted_bugs.end(), bug) == planted_bugs.end() ||
                confirmed.count(bug) != 0) {
                continue;
            }
            ::usleep(400000);  // a crash takes the server down for 200 ms
            const std::string reproducer = finding["case"].get<std::string>();
            const Outcome replay = mailharness("run " + reproducer + " " + smtp);
            outputs += replay.output;
            if (replay.exit_code == 1) {
                confirmed.emplace(bug, reproducer);
            }
        }
    }
    for (const char* planted : planted_bugs) {
        EXPECT_TRUE(confirmed.count(planted))
            << planted << ": not found, or its reproducer did not fail:\n"
            << outputs;
    }
    std::filesystem::remove_all(out);
}

// Two jobs replay two seeds unmutated: one crashes the server (a long MAIL FROM), the other
// only sends NOOPs and loses its connection whenever the first one strikes. Only the crash its
// own bytes cause is a finding; what the other job's conversations were judged by is replayed
// alone, does not happen again, and is listed as unconfirmed.
TEST(NetworkFuzzer, ConfirmsACrashByReplayingItAlone) {
    mh::test::BrokenServer server(MH_SOURCE_DIR "/tests/support/buggy_server.py");
    const auto out = scratch("confirm");
    std::filesystem::create_directories(out);
    {
        std::ofstream suite(out / "seeds.yaml");
        suite << "suite: confirm\nprotocol: smtp\ncases:\n"
              << "  - id: crasher\n    steps:\n      - send: EHLO client.example.test\n"
              << "      - send: \"MAIL FROM:<" << std::string(400, 'a') << "@example.test>\"\n"
              << "  - id: bystander\n    steps:\n      - send: EHLO client.example.test\n";
        for (int i = 0; i < 60; ++i) {
            suite << "      - send: NOOP\n";
        }
    }
    const Outcome fuzz = mailharness("fuzz --smtp 127.0.0.1:" + std::to_string(server.port()) +
                                     " --seeds " + (out / "seeds.yaml").string() +
                                     " --replay --duration 4s --jobs 2 --timeout 500ms " +
                                     "--minimise-attempts 20 --out " + (out / "run").string());
    EXPECT_EQ(fuzz.exit_code, 1) << fuzz.output;
    std::ifstream summary_file(out / "run" / "summary.json");
    const auto summary = nlohmann::json::parse(summary_file, nullptr, false);
    ASSERT_FALSE(summary.is_discarded()) << fuzz.output;
    ASSERT_EQ(summary["findings"].size(), 1u) << summary.dump(2);
    EXPECT_EQ(summary["findings"][0]["oracle"], "crash");
    EXPECT_EQ(summary["findings"][0]["state"], "MAIL");
    // The crasher's own conversations are also hit by the other job's crashes at other states.
    EXPECT_TRUE(std::any_of(summary["unconfirmed"].begin(), summary["unconfirmed"].end(),
                            [](const auto& unconfirmed) {
                                return unconfirmed["origin"].template get<std::string>().find(
                                           "bystander") != std::string::npos;
                            }))
        << summary.dump(2);
    // Each unconfirmed conversation is kept as a suite file, unminimised.
    for (const auto& unconfirmed : summary["unconfirmed"]) {
        EXPECT_TRUE(std::filesystem::is_regular_file(unconfirmed["case"].get<std::string>()))
            << unconfirmed.dump();
    }
    std::filesystem::remove_all(out);
}

// In TLS 1.2 (the default towards the embedded reference) and in TLS 1.3 (--tls-max 1.3).
TEST(NetworkFuzzer, FindsNothingInTheReference) {
    const auto out = scratch("reference");
    for (const std::string tls_max : {"1.2", "1.3"}) {
        const std::string option = tls_max == "1.3" ? " --tls-max 1.3" : "";
        const Outcome fuzz = mailharness("fuzz --protocol smtp --seeds " + seeds + option +
                                         " --duration 5s --jobs 2 --seed 1 --out " + out.string());
        EXPECT_EQ(fuzz.exit_code, 0) << fuzz.output;
        EXPECT_NE(fuzz.output.find("TLS at most " + tls_max), std::string::npos) << fuzz.output;
    }
    std::filesystem::remove_all(out);
}

TEST(NetworkFuzzer, RefusesATlsVersionItCannotCapAt) {
    const Outcome fuzz = mailharness("fuzz --tls-max 1.1 --duration 1s");
    EXPECT_EQ(fuzz.exit_code, 2) << fuzz.output;
    EXPECT_NE(fuzz.output.find("--tls-max: must be 1.2 or 1.3"), std::string::npos) << fuzz.output;
}

// The POP3 seeds unmutated: the model agrees with the reference on every one. It once read
// "CAPA\r" as a command without a body, and every multi-line answer became a false hang.
TEST(NetworkFuzzer, Pop3SeedsReplayCleanlyAgainstTheReference) {
    const auto out = scratch("reference-pop3");
    const Outcome fuzz = mailharness("fuzz --protocol pop3 --replay --seeds " MH_SOURCE_DIR
                                     "/suites/pop3 --duration 3s --jobs 2 --seed 1 --out " +
                                     out.string());
    EXPECT_EQ(fuzz.exit_code, 0) << fuzz.output;
    std::filesystem::remove_all(out);
}

// Mutated POP3 conversations: segmented commands, plaintext after STLS, AUTH in plaintext
// (CAPA lists SASL; the reference refuses it before STLS), bare AUTH.
TEST(NetworkFuzzer, FindsNothingInThePop3Reference) {
    const auto out = scratch("reference-pop3-fuzz");
    const Outcome fuzz = mailharness("fuzz --protocol pop3 --seeds " MH_SOURCE_DIR
                                     "/suites/pop3 --duration 5s --jobs 2 --seed 1 --out " +
                                     out.string());
    EXPECT_EQ(fuzz.exit_code, 0) << fuzz.output;
    std::filesystem::remove_all(out);
}

// Two jobs replaying a POP3 session each: with both logged in as alice, one job's PASS met the
// other's maildrop lock (-ERR [IN-USE], RFC 1939 4); the session stayed in AUTHORIZATION, where
// the AUTH PLAIN at its end is answered with "+ " and the fuzzer's QUIT read as the SASL
// response, a desync that did not happen again alone (unconfirmed). Each conversation under way
// now logs in as its own account, also the four each job keeps in flight.
TEST(NetworkFuzzer, Pop3JobsLogInAsDifferentAccounts) {
    const auto out = scratch("pop3-accounts");
    std::filesystem::create_directories(out);
    {
        std::ofstream suite(out / "seeds.yaml");
        suite << "suite: accounts\nprotocol: pop3\ncases:\n";
        for (const char* id : {"first", "second"}) {  // job 0 plays the first, job 1 the second
            suite << "  - id: " << id << "\n    steps:\n      - starttls: {}\n"
                  << "      - auth: {mechanism: USER, account: \"${user1}\"}\n";
            for (int i = 0; i < 5; ++i) {
                suite << "      - send: NOOP\n";
            }
            suite << "      - send: AUTH PLAIN\n";
        }
    }
    const Outcome fuzz = mailharness(
        "fuzz --protocol pop3 --replay --seeds " + (out / "seeds.yaml").string() +
        " --duration 3s --jobs 2 --in-flight 4 --seed 1 --out " + (out / "run").string());
    EXPECT_EQ(fuzz.exit_code, 0) << fuzz.output;
    std::ifstream summary_file(out / "run" / "summary.json");
    const auto summary = nlohmann::json::parse(summary_file, nullptr, false);
    ASSERT_FALSE(summary.is_discarded()) << fuzz.output;
    EXPECT_GT(summary["conversations"].get<int>(), 20) << fuzz.output;
    EXPECT_TRUE(summary["unconfirmed"].empty()) << summary.dump(2);
    std::filesystem::remove_all(out);
}

// A job keeps several conversations under way, yet the same --seed plays the same conversations
// whatever --in-flight is: they are generated and judged (corpus, states) in order, not as they
// finish. 2,000 conversations of one job from four seeds, nearly all mutants of a growing
// corpus. (Seeds whose answers depend on timing would make any two runs differ: in 2,500
// conversations from the bundled suites, one run in three took another path.)
TEST(NetworkFuzzer, TheSeedFixesTheConversationsWhateverIsInFlight) {
    const auto out = scratch("in-flight");
    std::vector<nlohmann::json> summaries;
    for (const char* in_flight : {"1", "8", "8"}) {
        const auto run = out / in_flight;
        const Outcome fuzz =
            mailharness("fuzz --protocol smtp --seeds " + planted_bug_seeds +
                        " --conversations 2000 --duration 60s --jobs 1 --seed 3 --in-flight " +
                        in_flight + " --out " + run.string());
        EXPECT_EQ(fuzz.exit_code, 0) << fuzz.output;
        std::ifstream summary_file(run / "summary.json");
        summaries.push_back(nlohmann::json::parse(summary_file, nullptr, false));
        ASSERT_FALSE(summaries.back().is_discarded()) << fuzz.output;
        EXPECT_EQ(summaries.back()["conversations"], 2000) << fuzz.output;
    }
    EXPECT_EQ(summaries[0]["states"], summaries[1]["states"]);
    EXPECT_EQ(summaries[1]["states"], summaries[2]["states"]);
    std::filesystem::remove_all(out);
}

// Conversations the fuzzer once reported against the reference although the harness was wrong:
// both `run` and the fuzzer's unmutated replay must pass them.
void expect_former_false_findings_pass(const std::string& protocol, const std::string& name) {
    const std::string file = MH_SOURCE_DIR "/tests/harness/data/netfuzz/" + name + ".yaml";
    const Outcome run = mailharness("run " + file);
    EXPECT_EQ(run.exit_code, 0) << run.output;
    const auto out = scratch(name);
    const Outcome fuzz = mailharness("fuzz --protocol " + protocol + " --replay --seeds " + file +
                                     " --duration 2s --jobs 1 --seed 1 --out " + out.string());
    EXPECT_EQ(fuzz.exit_code, 0) << fuzz.output;
    std::filesystem::remove_all(out);
}

TEST(NetworkFuzzer, FormerFalsePop3FindingsPass) {
    expect_former_false_findings_pass("pop3", "pop3-false-findings");
}

// A recipient in another case (a 10-minute campaign's acceptance finding, the model's mistake).
// The build before the fix reports it under `fuzz --replay`.
TEST(NetworkFuzzer, FormerFalseSmtpFindingsPass) {
    expect_former_false_findings_pass("smtp", "smtp-false-findings");
}

}  // namespace
