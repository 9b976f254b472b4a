#include "reference/store/maildir.hpp"

#include <fcntl.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "reference/store/account_name.hpp"

namespace mh::reference {
namespace {

[[noreturn]] void throw_errno(const std::string& what) {
    throw std::system_error(errno, std::generic_category(), what);
}

// The host part of a maildir name may not hold '/' or ':' (the flags separator).
std::string safe_host_name() {
    char buffer[256] = {};
    if (gethostname(buffer, sizeof buffer - 1) != 0) {
        return "localhost";
    }
    std::string host(buffer);
    for (char& c : host) {
        if (c == '/' || c == ':') {
            c = '_';
        }
    }
    constexpr std::size_t max_host = 32;  // keeps the UIDL well under 70 octets (RFC 1939 7)
    return host.substr(0, max_host);
}

void write_all(int fd, std::string_view data, const std::filesystem::path& path) {
    while (!data.empty()) {
        ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw_errno("write " + path.string());
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
}

}  // namespace

void ensure_maildir(const std::filesystem::path& maildir) {
    for (const char* sub : {"tmp", "new", "cur"}) {
        std::filesystem::create_directories(maildir / sub);
    }
}

std::filesystem::path ensure_account_maildir(const std::filesystem::path& root,
                                             std::string_view account) {
    if (std::string problem = account_name_problem(account); !problem.empty()) {
        throw std::invalid_argument("account '" + std::string(account) + "': " + problem);
    }
    std::filesystem::path maildir = root / std::string(account) / "Maildir";
    ensure_maildir(maildir);
    return maildir;
}

std::string unique_message_name() {
    static const std::string host = safe_host_name();
    static std::atomic<unsigned long> counter{0};
    timeval now{};
    gettimeofday(&now, nullptr);
    return std::to_string(now.tv_sec) + ".M" + std::to_string(now.tv_usec) + "P" +
           std::to_string(getpid()) + "Q" + std::to_string(++counter) + "." + host;
}

StagedMessage::StagedMessage(const std::filesystem::path& maildir, std::string_view prefix,
                             std::string_view content)
    : name_(unique_message_name()), tmp_path_(maildir / "tmp" / name_), new_dir_(maildir / "new") {
    fd_ = ::open(tmp_path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd_ < 0) {
        throw_errno("create " + tmp_path_.string());
    }
    try {
        write_all(fd_, prefix, tmp_path_);
        write_all(fd_, content, tmp_path_);
    } catch (...) {
        ::close(fd_);
        fd_ = -1;
        ::unlink(tmp_path_.c_str());
        throw;
    }
}

StagedMessage::StagedMessage(StagedMessage&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      name_(std::move(other.name_)),
      tmp_path_(std::move(other.tmp_path_)),
      new_dir_(std::move(other.new_dir_)),
      published_(std::exchange(other.published_, true)) {}

StagedMessage::~StagedMessage() {
    if (fd_ >= 0) {
        ::close(fd_);
    }
    if (!published_ && !tmp_path_.empty()) {
        ::unlink(tmp_path_.c_str());  // never acknowledged: leave no litter in tmp/
    }
}

void StagedMessage::sync_file() {
    if (::fsync(fd_) != 0) {
        throw_errno("fsync " + tmp_path_.string());
    }
}

void StagedMessage::publish() {
    const std::filesystem::path target = new_dir_ / name_;
    if (::rename(tmp_path_.c_str(), target.c_str()) != 0) {
        throw_errno("rename " + tmp_path_.string() + " -> " + target.string());
    }
    published_ = true;
}

void sync_directory(const std::filesystem::path& dir) {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        throw_errno("open " + dir.string());
    }
    int rc = ::fsync(fd);
    int saved = errno;
    ::close(fd);
    if (rc != 0) {
        errno = saved;
        throw_errno("fsync " + dir.string());
    }
}

}  // namespace mh::reference
