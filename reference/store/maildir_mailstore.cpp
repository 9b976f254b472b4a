#include "reference/store/maildir_mailstore.hpp"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>
#include <system_error>

#include "reference/store/maildir.hpp"

namespace mh::reference {
namespace {

using proto::pop3::LockResult;
using proto::pop3::MessageInfo;

std::string md5_hex(std::string_view data) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_Digest(data.data(), data.size(), digest, &length, EVP_md5(), nullptr) != 1) {
        throw std::runtime_error("MD5 failed");
    }
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < length; ++i) {
        out += hex[digest[i] >> 4];
        out += hex[digest[i] & 0x0f];
    }
    return out;
}

class MaildirDrop : public proto::pop3::Maildrop {
  public:
    MaildirDrop(int lock_fd, const std::filesystem::path& maildir) : lock_fd_(lock_fd) {
        struct Entry {
            std::filesystem::file_time_type mtime;
            std::string name;
            std::filesystem::path path;
            std::size_t size;
        };
        std::vector<Entry> entries;
        for (const char* sub : {"new", "cur"}) {
            for (const auto& file : std::filesystem::directory_iterator(maildir / sub)) {
                if (!file.is_regular_file() || file.path().filename().string().starts_with(".")) {
                    continue;
                }
                entries.push_back({file.last_write_time(), file.path().filename().string(),
                                   file.path(), static_cast<std::size_t>(file.file_size())});
            }
        }
        // Oldest first, so message numbers follow arrival order.
        std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
            return a.mtime != b.mtime ? a.mtime < b.mtime : a.name < b.name;
        });
        for (auto& entry : entries) {
            // Stored with CRLF line ends: the file size is the octet count RETR sends.
            messages_.push_back(MessageInfo{maildir_uid(entry.name), entry.size});
            paths_.push_back(std::move(entry.path));
        }
    }
    ~MaildirDrop() override { ::close(lock_fd_); }  // closing releases the flock
    MaildirDrop(const MaildirDrop&) = delete;
    MaildirDrop& operator=(const MaildirDrop&) = delete;

    const std::vector<MessageInfo>& messages() const override { return messages_; }

    // Plain open/read: an ifstream per RETR costs a buffer allocation and locale set-up that
    // weigh on every message of a LIST+RETR session.
    std::string read(std::size_t index) override {
        const std::filesystem::path& path = paths_.at(index);
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            throw std::runtime_error("cannot read " + path.string());
        }
        std::string content(messages_.at(index).octets, '\0');
        std::size_t got = 0;
        while (got < content.size()) {
            const ssize_t n = ::read(fd, content.data() + got, content.size() - got);
            if (n > 0) {
                got += static_cast<std::size_t>(n);
            } else if (n == 0 || errno != EINTR) {
                break;
            }
        }
        ::close(fd);
        if (got != content.size()) {
            throw std::runtime_error("message changed size or cannot be read: " + path.string());
        }
        return content;
    }

    bool remove(const std::vector<std::size_t>& indexes) override {
        bool all = true;
        for (std::size_t index : indexes) {
            if (index >= paths_.size()) {
                all = false;
                continue;
            }
            std::error_code ec;
            // Already gone counts as removed: the goal state is reached.
            if (!std::filesystem::remove(paths_[index], ec) && ec) {
                all = false;
            }
        }
        if (!paths_.empty()) {
            try {
                sync_directory(paths_.front().parent_path());
            } catch (const std::system_error&) {
                all = false;
            }
        }
        return all;
    }

  private:
    int lock_fd_;
    std::vector<MessageInfo> messages_;
    std::vector<std::filesystem::path> paths_;
};

}  // namespace

std::string maildir_uid(std::string_view file_name) {
    return std::string(file_name.substr(0, file_name.find(':')));
}

MaildirMailstore::MaildirMailstore(std::filesystem::path root, const AccountDirectory& accounts)
    : root_(std::move(root)), accounts_(accounts) {}

std::optional<std::string> MaildirMailstore::authenticate(std::string_view user,
                                                          std::string_view password) {
    return accounts_.authenticate(user, password);
}

std::optional<std::string> MaildirMailstore::authenticate_apop(std::string_view user,
                                                               std::string_view timestamp,
                                                               std::string_view digest) {
    const Account* account = accounts_.find(user);
    if (account == nullptr || !account->apop_secret) {
        return std::nullopt;
    }
    const std::string expected = md5_hex(std::string(timestamp) + *account->apop_secret);
    if (digest.size() != expected.size() ||
        CRYPTO_memcmp(digest.data(), expected.data(), expected.size()) != 0) {
        return std::nullopt;
    }
    return account->name;
}

LockResult MaildirMailstore::open(std::string_view account,
                                  std::unique_ptr<proto::pop3::Maildrop>& out) {
    try {
        const std::filesystem::path maildir = ensure_account_maildir(root_, account);
        const std::filesystem::path lock_path = maildir / "pop3.lock";
        int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0) {
            return LockResult::failed;
        }
        if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
            const bool busy = errno == EWOULDBLOCK;
            ::close(fd);
            return busy ? LockResult::in_use : LockResult::failed;
        }
        try {
            out = std::make_unique<MaildirDrop>(fd, maildir);
        } catch (...) {
            ::close(fd);
            throw;
        }
        return LockResult::locked;
    } catch (const std::exception&) {
        return LockResult::failed;
    }
}

}  // namespace mh::reference
