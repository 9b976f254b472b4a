#include "reference/server/privileges.hpp"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace mh::reference {
namespace {

[[noreturn]] void fail(const std::string& what) {
    throw std::runtime_error(what + ": " + std::strerror(errno));
}

void chown_tree(const std::filesystem::path& root, uid_t uid, gid_t gid) {
    if (::lchown(root.c_str(), uid, gid) != 0) {
        fail("cannot give " + root.string() + " to the server user");
    }
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
        if (::lchown(entry.path().c_str(), uid, gid) != 0) {
            fail("cannot give " + entry.path().string() + " to the server user");
        }
    }
}

}  // namespace

void drop_privileges(const std::string& user, const std::filesystem::path& maildir) {
    if (user.empty()) {
        return;
    }
    std::vector<char> buffer(16384);
    passwd entry{};
    passwd* found = nullptr;
    if (getpwnam_r(user.c_str(), &entry, buffer.data(), buffer.size(), &found) != 0 ||
        found == nullptr) {
        throw std::runtime_error("no such user '" + user + "' (see --user / user:)");
    }
    if (::geteuid() != 0) {
        if (::geteuid() != found->pw_uid) {
            throw std::runtime_error("running as '" + user + "' needs root to start with");
        }
        return;
    }
    if (found->pw_uid == 0) {
        throw std::runtime_error("--user must name an unprivileged user, not '" + user + "'");
    }
    chown_tree(maildir, found->pw_uid, found->pw_gid);
    // Order matters: supplementary groups and the group while still root, the user last.
    // glibc applies each change to every thread of the process.
    if (::setgroups(0, nullptr) != 0 || ::setgid(found->pw_gid) != 0 ||
        ::setuid(found->pw_uid) != 0) {
        fail("cannot switch to user '" + user + "'");
    }
    if (::setuid(0) == 0) {
        throw std::runtime_error("root could be regained after switching to '" + user + "'");
    }
    if (::access(maildir.c_str(), R_OK | W_OK | X_OK) != 0) {
        fail("user '" + user + "' cannot use the mail root " + maildir.string() +
             " (is a folder above it closed to that user?)");
    }
}

}  // namespace mh::reference
