#include "reference/clients/detail/uidl_state.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "reference/clients/client_error.hpp"
#include "reference/store/maildir.hpp"

namespace mh::reference::clients::detail {
namespace {

[[noreturn]] void fail(const std::filesystem::path& file, const std::string& what) {
    throw ClientError(ExitCode::local,
                      "cannot " + what + " " + file.string() + ": " + std::strerror(errno));
}

// Writes all of `text` to `file` (appending or truncating) and fsyncs it.
void write_synced(const std::filesystem::path& file, const std::string& text, int mode) {
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | mode, 0600);
    if (fd < 0) {
        fail(file, "open");
    }
    std::size_t written = 0;
    while (written < text.size()) {
        const auto n = ::write(fd, text.data() + written, text.size() - written);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            ::close(fd);
            fail(file, "write");
        }
        written += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0) {
        ::close(fd);
        fail(file, "fsync");
    }
    ::close(fd);
}

}  // namespace

UidlState::UidlState(std::filesystem::path file, std::string mailbox)
    : file_(std::move(file)), mailbox_(std::move(mailbox)) {
    std::ifstream in(file_);
    if (!in && std::filesystem::exists(file_)) {
        fail(file_, "read");
    }
    std::string line;
    const std::string prefix = mailbox_ + '\t';
    while (std::getline(in, line)) {
        if (line.starts_with(prefix)) {
            uids_.insert(line.substr(prefix.size()));
        } else if (!line.empty()) {
            other_lines_.push_back(line);
        }
    }
}

void UidlState::add(const std::string& uid) {
    write_synced(file_, mailbox_ + '\t' + uid + '\n', O_APPEND);
    uids_.insert(uid);
}

void UidlState::retain_only(const std::set<std::string>& on_server) {
    std::erase_if(uids_, [&](const std::string& uid) { return !on_server.contains(uid); });
    std::string text;
    for (const auto& line : other_lines_) {
        text += line + '\n';
    }
    for (const auto& uid : uids_) {
        text += mailbox_ + '\t' + uid + '\n';
    }
    const auto temporary = std::filesystem::path(file_.string() + ".tmp");
    write_synced(temporary, text, O_TRUNC);
    std::error_code ec;
    std::filesystem::rename(temporary, file_, ec);
    if (ec) {
        throw ClientError(ExitCode::local,
                          "cannot replace " + file_.string() + ": " + ec.message());
    }
    try {
        sync_directory(file_.parent_path());
    } catch (const std::system_error& e) {
        throw ClientError(ExitCode::local, e.what());
    }
}

}  // namespace mh::reference::clients::detail
