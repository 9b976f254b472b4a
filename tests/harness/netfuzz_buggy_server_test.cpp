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

#include "../support/broken_server.hpp"

namespace {

struct Outcome {
    int exit_code = -1;
    std::string output;
};

Outcome mailharness(const std::string& arguments) {
    const std::string command = std::string(MH_BINARY) + " " + arguments + " 2>&1";
    Outcome outcome;
    std::FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) {
        ADD_FAILURE() << "cannot run " << command;
        return outcome;
    }
    std::array<char, 4096> buffer{};
    while (std::fgets(buffer.data(), buffer.size(), pipe) != nullptr) {
        outcome.output += buffer.data();
    }
    const int status = ::pclose(pipe);
    outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return outcome;
}

std::filesystem::path scratch(const std::string& name) {
    const auto path = std::filesystem::temp_directory_path() /
                      ("mh-netfuzz-" + name + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(path);
    return path;
}

const std::string seeds =
    std::string(MH_SOURCE_DIR "/suites/smtp ") + MH_SOURCE_DIR "/suites/security";

TEST(NetworkFuzzer, FindsEveryPlantedBugAndItsReproducersFail) {
    mh::test::BrokenServer server(MH_SOURCE_DIR "/tests/support/buggy_server.py");
    const std::string smtp = "--smtp 127.0.0.1:" + std::to_string(server.port());
    const auto out = scratch("buggy");
    const std::array<const char*, 4> planted_bugs = {"crash MAIL", "hang NOOP", "grammar HELP",
                                                     "acceptance DATA"};
    std::map<std::string, std::string> found;  // "oracle state" -> case file
    std::string outputs;
    // Seeded 15 s campaigns until every planted bug is found, at most three: one is enough on
    // an idle machine, but an ASan build on a loaded CI machine runs a fraction of the
    // conversations, and the test is about finding the bugs, not about the machine's speed.
    for (int attempt = 1; attempt <= 3; ++attempt) {
        const auto folder = out / std::to_string(attempt);
        const Outcome fuzz = mailharness("fuzz " + smtp + " --seeds " + seeds +
                                         " --duration 15s --jobs 2 --timeout 500ms --seed " +
                                         std::to_string(attempt) + " --out " + folder.string());
        EXPECT_EQ(fuzz.exit_code, 1) << fuzz.output;
        outputs += fuzz.output;
        std::ifstream summary_file(folder / "summary.json");
        const auto summary = nlohmann::json::parse(summary_file, nullptr, false);
        ASSERT_FALSE(summary.is_discarded()) << fuzz.output;
        for (const auto& finding : summary["findings"]) {
            found.emplace(
                finding["oracle"].get<std::string>() + " " + finding["state"].get<std::string>(),
                finding["case"].get<std::string>());
        }
        if (std::all_of(planted_bugs.begin(), planted_bugs.end(),
                        [&](const char* planted) { return found.count(planted) != 0; })) {
            break;
        }
        ::usleep(400000);  // the server may be down for 200 ms after a crash
    }
    for (const char* planted : planted_bugs) {
        ASSERT_TRUE(found.count(planted)) << planted << " not found:\n" << outputs;
        const Outcome replay = mailharness("run " + found[planted] + " " + smtp);
        EXPECT_EQ(replay.exit_code, 1) << planted << ": the reproducer should fail\n"
                                       << replay.output;
        ::usleep(400000);  // a crash reproducer takes the server down for 200 ms
    }
    std::filesystem::remove_all(out);
}

TEST(NetworkFuzzer, FindsNothingInTheReference) {
    const auto out = scratch("reference");
    const Outcome fuzz = mailharness("fuzz --protocol smtp --seeds " + seeds +
                                     " --duration 5s --jobs 2 --seed 1 --out " + out.string());
    EXPECT_EQ(fuzz.exit_code, 0) << fuzz.output;
    std::filesystem::remove_all(out);
}

}  // namespace
