// A full disk (issue 8): delivery into a small tmpfs that has no room left answers 452 4.3.1
// (RFC 3463 4.3.1 "mail system full") and leaves no partial file in tmp/ or new/; once room is
// made, the same message is accepted. Needs root for mount(2), which CI has.
#include <gtest/gtest.h>

#include <sys/mount.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>

#include "tests/integration/line_client.hpp"
#include "tests/integration/test_server.hpp"

namespace mh::integration {
namespace {

namespace fs = std::filesystem;

class SmallTmpfs {
  public:
    explicit SmallTmpfs(const fs::path& where) : path_(where) {
        fs::create_directories(path_);
        if (::mount("tmpfs", path_.c_str(), "tmpfs", 0, "size=256k") != 0) {
            throw std::runtime_error("mount tmpfs on " + path_.string() + ": " +
                                     std::strerror(errno) + " (the test needs root)");
        }
    }
    ~SmallTmpfs() { ::umount2(path_.c_str(), MNT_DETACH); }
    SmallTmpfs(const SmallTmpfs&) = delete;
    SmallTmpfs& operator=(const SmallTmpfs&) = delete;

  private:
    fs::path path_;
};

std::string deliver(std::uint16_t port, const std::string& body) {
    return send_mail(port, "alice@example.test", "Subject: big\r\n\r\n" + body);
}

std::size_t files_in(const fs::path& dir) {
    std::size_t n = 0;
    for (const auto& entry : fs::directory_iterator(dir)) {
        (void)entry;
        ++n;
    }
    return n;
}

TEST(DiskFull, DeliveryGets452AndLeavesNoPartialFile) {
    reference::testing::TempDir root;
    const fs::path mount_point = root.path() / "small";
    SmallTmpfs tmpfs(mount_point);
    TestServer server([&](reference::Config& c) { c.maildir = mount_point; });
    const auto port = server.port(reference::Service::smtp);
    ASSERT_EQ(deliver(port, "small\r\n").substr(0, 3), "250");
    // Fill what is left.
    const fs::path filler = mount_point / "filler";
    {
        std::ofstream out(filler, std::ios::binary);
        const std::string block(4096, 'x');
        while (out.write(block.data(), static_cast<std::streamsize>(block.size())) && out.flush()) {
        }
    }
    std::string body;
    for (int i = 0; i < 1000; ++i) {
        body += std::string(98, 'a' + static_cast<char>(i % 26)) + "\r\n";  // 100 KB
    }
    const std::string reply = deliver(port, body);
    EXPECT_EQ(reply.substr(0, 10), "452 4.3.1 ") << reply;
    const fs::path maildir = mount_point / "alice" / "Maildir";
    EXPECT_EQ(files_in(maildir / "tmp"), 0U);  // the partial copy was removed
    EXPECT_EQ(files_in(maildir / "new"), 1U);  // only the first message
    fs::remove(filler);
    EXPECT_EQ(deliver(port, body).substr(0, 3), "250");
    EXPECT_EQ(files_in(maildir / "new"), 2U);
}

}  // namespace
}  // namespace mh::integration
