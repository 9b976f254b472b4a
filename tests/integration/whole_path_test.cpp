// The whole path of issue 4 with the programs a user runs: two `mailharness serve` (the
// sender's and the recipient's, configured by docs/examples/origin.yaml and remote.yaml),
// `mailharness send` (AUTH, STARTTLS) to the first, which relays to the second, then
// `mailharness fetch` in keep mode twice and in delete mode, and clients no one here wrote:
// Python's poplib (STLS, UIDL, TOP), curl pop3:// and fetchmail. Also: a kill -9 of the
// sender's server with a message in its queue loses nothing and duplicates nothing.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <fstream>
#include <map>

#include "../reference/temp_dir.hpp"
#include "process.hpp"
#include "relay_helpers.hpp"

namespace mh::integration {
namespace {

using namespace std::chrono_literals;
using reference::testing::TempDir;

const std::string mailharness = MH_MAILHARNESS;
const std::string examples = MH_EXAMPLES;
const std::string clients_dir = MH_INTEGRATION_CLIENTS;

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
    for (auto pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos)) {
        text.replace(pos, from.size(), to);
        pos += to.size();
    }
    return text;
}

std::string hex(const std::string& bytes) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (const char c : bytes) {
        const auto byte = static_cast<unsigned char>(c);
        out += digits[byte >> 4];
        out += digits[byte & 15];
    }
    return out;
}

// A message with a leading-dot line, an empty line, a long line and 8-bit text.
const std::string message_text =
    "From: Dave <dave@origin.test>\r\n"
    "To: Carol <carol@remote.test>\r\n"
    "Subject: the whole path\r\n"
    "Message-ID: <whole-path@origin.test>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "\r\n"
    "Hello Carol,\r\n"
    ".a line that starts with a dot\r\n"
    "\r\n" +
    std::string(900, 'x') +
    "\r\n"
    "gr\xc3\xbc\xc3\x9f"
    "e\r\n";

// The two servers of docs/whole-path.md on free ports, each with its own maildir.
class WholePath : public ::testing::Test {
  protected:
    void SetUp() override {
        for (const char* name :
             {"origin_smtp", "origin_submission", "origin_pop3", "remote_smtp", "remote_pop3"}) {
            ports_[name] = std::to_string(free_port());
        }
        // The example files as they are, but on the free ports and with quick retries.
        std::string origin = slurp(examples + "/origin.yaml");
        origin = replace_all(origin, "127.0.0.1:10025", "127.0.0.1:" + ports_["origin_smtp"]);
        origin = replace_all(origin, "127.0.0.1:10587", "127.0.0.1:" + ports_["origin_submission"]);
        origin = replace_all(origin, "127.0.0.1:10110", "127.0.0.1:" + ports_["origin_pop3"]);
        origin = replace_all(origin, "127.0.0.1:20025", "127.0.0.1:" + ports_["remote_smtp"]);
        origin = replace_all(origin, "first: 10,", "first: 1,");
        std::string remote = slurp(examples + "/remote.yaml");
        remote = replace_all(remote, "127.0.0.1:20025", "127.0.0.1:" + ports_["remote_smtp"]);
        remote = replace_all(remote, "127.0.0.1:20110", "127.0.0.1:" + ports_["remote_pop3"]);
        ASSERT_NE(origin, slurp(examples + "/origin.yaml"));
        std::ofstream(dir_.path() / "origin.yaml") << origin;
        std::ofstream(dir_.path() / "remote.yaml") << remote;
        message_file_ = dir_.path() / "message.eml";
        std::ofstream(message_file_, std::ios::binary) << message_text;
    }

    std::unique_ptr<BackgroundProcess> serve(const std::string& name) {
        auto server = std::make_unique<BackgroundProcess>(
            std::vector<std::string>{mailharness, "serve", "--config",
                                     (dir_.path() / (name + ".yaml")).string(), "--maildir",
                                     (dir_.path() / name).string()},
            dir_.path() / (name + ".out"), dir_.path() / (name + ".err"));
        EXPECT_TRUE(server->wait_for_output("account", 10s)) << server->stderr_text();
        return server;
    }

    ProcessResult send() {
        return run_process({mailharness, "send", "--server",
                            "127.0.0.1:" + ports_["origin_submission"], "--insecure", "--auth",
                            "dave:dave-pw", "--from", "dave@origin.test", "--to",
                            "carol@remote.test", "--message", message_file_.string()});
    }

    ProcessResult fetch(const std::string& local, bool delete_mode) {
        std::vector<std::string> argv{mailharness,
                                      "fetch",
                                      "--server",
                                      "127.0.0.1:" + ports_["remote_pop3"],
                                      "--insecure",
                                      "--user",
                                      "carol",
                                      "--password",
                                      "carol-pw",
                                      "--maildir",
                                      (dir_.path() / local).string()};
        if (delete_mode) {
            argv.emplace_back("--delete");
        }
        return run_process(argv);
    }

    std::filesystem::path carol(const char* folder) const {
        return dir_.path() / "remote/carol/Maildir" / folder;
    }
    std::filesystem::path origin_queue() const { return dir_.path() / "origin/.relay-queue/new"; }

    TempDir dir_;
    std::map<std::string, std::string> ports_;
    std::filesystem::path message_file_;
};

TEST_F(WholePath, SendRelayFetchWithEveryClient) {
    auto remote = serve("remote");
    auto origin = serve("origin");
    const auto sent = send();
    ASSERT_EQ(sent.exit_code, 0) << sent.output;
    ASSERT_TRUE(eventually([&] { return files_in(carol("new")).size() == 1; }))
        << origin->stderr_text();
    EXPECT_TRUE(eventually([&] { return files_in(origin_queue()).empty(); }));
    const std::string stored = slurp(files_in(carol("new"))[0]);
    // Two trace fields on top (RFC 5321 4.4): the recipient's server, then the sender's.
    ASSERT_TRUE(stored.ends_with(message_text)) << stored;
    EXPECT_TRUE(stored.starts_with("Received: from ")) << stored;
    EXPECT_NE(stored.find("by mx.remote.test with ESMTPS"), std::string::npos) << stored;
    EXPECT_NE(stored.find("by mx.origin.test with ESMTPSA"), std::string::npos) << stored;

    // mailharness fetch, keep mode twice: one copy, byte for byte.
    for (int round = 0; round < 2; ++round) {
        const auto fetched = fetch("kept", false);
        ASSERT_EQ(fetched.exit_code, 0) << fetched.output;
    }
    const auto kept = files_in(dir_.path() / "kept/new");
    ASSERT_EQ(kept.size(), 1U);
    EXPECT_EQ(slurp(kept[0]), stored);

    // Python's poplib: STLS, UIDL, TOP, RETR, and a second session refused with [IN-USE].
    const auto python =
        run_process({require_program("/usr/bin/python3"), clients_dir + "/poplib_check.py",
                     "127.0.0.1", ports_["remote_pop3"], "carol", "carol-pw"});
    ASSERT_EQ(python.exit_code, 0) << python.output;
    const std::string uid = files_in(carol("new"))[0].filename().string();
    EXPECT_NE(python.output.find("uidl " + uid.substr(0, uid.find(':')) + "\n"), std::string::npos)
        << python.output;
    const std::string headers = stored.substr(0, stored.find("\r\n\r\n") + 4);
    EXPECT_NE(python.output.find("top " + hex(headers) + "\n"), std::string::npos) << python.output;
    EXPECT_NE(python.output.find("retr " + hex(stored) + "\n"), std::string::npos) << python.output;
    EXPECT_NE(python.output.find("second -ERR [IN-USE]"), std::string::npos) << python.output;

    // curl pop3:// over STLS.
    const auto curl = run_process({require_program("/usr/bin/curl"), "--silent", "--show-error",
                                   "--ssl-reqd", "-k", "--user", "carol:carol-pw",
                                   "pop3://127.0.0.1:" + ports_["remote_pop3"] + "/1"});
    ASSERT_EQ(curl.exit_code, 0) << curl.output;
    EXPECT_EQ(curl.output, stored);

    // fetchmail (STLS, keep), handing the message to an MDA that writes it to a file. It gives
    // the MDA LF line ends; --invisible keeps its own Received: field out.
    const auto rc = dir_.path() / "fetchmailrc";
    const auto out = dir_.path() / "fetchmail.eml";
    std::ofstream(rc) << "poll 127.0.0.1 with proto POP3 service " << ports_["remote_pop3"]
                      << "\n  user \"carol\" there with password \"carol-pw\"\n"
                      << "  sslproto 'TLS1.2+' no sslcertck keep\n"
                      << "  mda \"/bin/sh -c 'cat > " << out.string() << "'\"\n";
    ::chmod(rc.c_str(), 0600);
    const auto fetchmail = run_process({"/usr/bin/env", "FETCHMAILHOME=" + dir_.path().string(),
                                        require_program("/usr/bin/fetchmail"), "--nosyslog",
                                        "--invisible", "-f", rc.string()});
    ASSERT_EQ(fetchmail.exit_code, 0) << fetchmail.output;
    EXPECT_EQ(slurp(out), replace_all(stored, "\r\n", "\n")) << fetchmail.output;

    // mailharness fetch, delete mode: the same bytes, and the mailbox is empty afterwards.
    const auto deleted = fetch("deleted", true);
    ASSERT_EQ(deleted.exit_code, 0) << deleted.output;
    const auto downloaded = files_in(dir_.path() / "deleted/new");
    ASSERT_EQ(downloaded.size(), 1U);
    EXPECT_EQ(slurp(downloaded[0]), stored);
    EXPECT_TRUE(files_in(carol("new")).empty());
    EXPECT_TRUE(files_in(carol("cur")).empty());

    EXPECT_EQ(origin->stop(SIGTERM, 10s), 0);
    EXPECT_EQ(remote->stop(SIGTERM, 10s), 0);
    const std::string log = origin->stderr_text();
    EXPECT_NE(log.find(" attempt 1 via 127.0.0.1:" + ports_["remote_smtp"] + " (TLS"),
              std::string::npos)
        << log;
    EXPECT_NE(log.find("<carol@remote.test> delivered (end of data: 250 "), std::string::npos)
        << log;
}

TEST_F(WholePath, KillNineWithAQueuedMessageLosesAndDuplicatesNothing) {
    auto origin = serve("origin");  // the recipient's server is not up yet
    const auto sent = send();
    ASSERT_EQ(sent.exit_code, 0) << sent.output;
    ASSERT_EQ(files_in(origin_queue()).size(), 1U);
    ASSERT_TRUE(eventually([&] {
        return origin->stderr_text().find("deferred, next attempt") != std::string::npos;
    })) << origin->stderr_text();
    origin->stop(SIGKILL, 5s);
    ASSERT_EQ(files_in(origin_queue()).size(), 1U);

    auto remote = serve("remote");
    origin = serve("origin");
    ASSERT_TRUE(eventually([&] { return files_in(carol("new")).size() == 1; }))
        << origin->stderr_text();
    EXPECT_TRUE(eventually([&] { return files_in(origin_queue()).empty(); }));
    std::this_thread::sleep_for(1500ms);  // a duplicate would come with the next scan or retry
    EXPECT_EQ(files_in(carol("new")).size(), 1U);
    EXPECT_TRUE(slurp(files_in(carol("new"))[0]).ends_with(message_text));
}

}  // namespace
}  // namespace mh::integration
