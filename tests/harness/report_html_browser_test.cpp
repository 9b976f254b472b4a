// The HTML report in a real browser: `mailharness report render` writes a page from two results
// files and a bench file, headless Chromium loads it, takes a screenshot and dumps the DOM after
// the page's script ran. Checked: the script ran without an error (its marker attribute, and no
// console message at all), a server line carrying a script did not run, and the numbers.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "harness/bench/stats.hpp"
#include "harness/report/reports.hpp"
#include "report_test_runs.hpp"

namespace mh::harness::report {
namespace {

std::string read(const std::filesystem::path& path) {
    std::ifstream file(path, std::ios::binary);
    std::ostringstream text;
    text << file.rdbuf();
    return text.str();
}

int run(const std::string& command) {
    const int status = std::system(command.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

class HtmlInBrowser : public ::testing::Test {
  protected:
    void SetUp() override {
        ASSERT_STRNE(MH_CHROMIUM, "") << "chromium is not installed (ci/install-deps installs it)";
        directory_ = std::filesystem::temp_directory_path() /
                     ("mh-html-browser-" + std::to_string(getpid()));
        std::filesystem::create_directories(directory_);
    }
    void TearDown() override { std::filesystem::remove_all(directory_); }

    std::filesystem::path directory_;
};

TEST_F(HtmlInBrowser, ScriptRunsAndNumbersShow) {
    RunResult first = testing::mixed_run();
    // A hostile server line: were it not escaped, it would replace the script's marker.
    first.cases[1].transcript.push_back(testing::line(
        TranscriptLine::Direction::server,
        "</pre><script>document.documentElement.setAttribute('data-script','pwned')</script>"));
    std::ofstream(directory_ / "a.json") << render_json(first);
    std::ofstream(directory_ / "b.json") << render_json(testing::other_run());
    std::ofstream(directory_ / "bench.json") << bench::to_json(testing::bench_report(), {}).dump();
    const std::filesystem::path page = directory_ / "page.html";
    ASSERT_EQ(run(std::string(MH_MAILHARNESS) + " report render " +
                  (directory_ / "a.json").string() + " " + (directory_ / "b.json").string() + " " +
                  (directory_ / "bench.json").string() + " --format html --out " + page.string()),
              0);

    const std::filesystem::path dom = directory_ / "dom.html", log = directory_ / "chromium.log",
                                screenshot = directory_ / "page.png";
    // No D-Bus here: without this Chromium waits on it at start.
    const std::string chromium =
        "DBUS_SESSION_BUS_ADDRESS=disabled: timeout 60 " + std::string(MH_CHROMIUM) +
        " --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir=" +
        (directory_ / "profile").string() +
        " --enable-logging=stderr --v=0 --window-size=1280,2400 --screenshot=" +
        screenshot.string() + " --dump-dom file://" + page.string() + " >" + dom.string() + " 2>" +
        log.string();
    ASSERT_EQ(run(chromium), 0) << read(log);

    const std::string text = read(dom);
    EXPECT_NE(text.find("<html lang=\"en\" data-script=\"ok\">"), std::string::npos) << text;
    EXPECT_EQ(text.find("pwned\""), std::string::npos);
    // Console messages (script errors included) are logged as INFO:CONSOLE lines.
    const std::string messages = read(log);
    EXPECT_EQ(messages.find(":CONSOLE"), std::string::npos) << messages;
    // Written by the script: every case is counted.
    EXPECT_NE(text.find("<span id=\"shown\" class=\"muted\">7 of 7 cases shown</span>"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("id=\"score-0\">44.4%</td>"), std::string::npos);
    EXPECT_NE(text.find("id=\"score-1\">81.8%</td>"), std::string::npos);
    EXPECT_NE(text.find("id=\"fail-0\">1</td>"), std::string::npos);
    EXPECT_NE(text.find("id=\"fail-1\">1</td>"), std::string::npos);
    EXPECT_NE(text.find("id=\"bench-rate-0\">100.0</span>"), std::string::npos);

    const std::string png = read(screenshot);
    ASSERT_GT(png.size(), 10'000U) << "a blank screenshot?";
    EXPECT_EQ(png.substr(0, 4), "\x89PNG");
}

}  // namespace
}  // namespace mh::harness::report
