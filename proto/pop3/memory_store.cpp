#include "proto/pop3/memory_store.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "proto/pop3/detail/md5.hpp"

namespace mh::proto::pop3 {
namespace {

std::string with_crlf_line_ends(std::string_view content) {
    std::string out;
    out.reserve(content.size() + content.size() / 32 + 2);
    for (std::size_t i = 0; i < content.size(); ++i) {
        if (content[i] == '\n' && (i == 0 || content[i - 1] != '\r')) {
            out += '\r';
        }
        out += content[i];
    }
    if (out.size() < 2 || out.compare(out.size() - 2, 2, "\r\n") != 0) {
        out += "\r\n";
    }
    return out;
}

}  // namespace

// The locked snapshot one session works on; unlocks its account when the session drops it.
class MemoryStore::Drop : public Maildrop {
  public:
    Drop(MemoryStore& store, std::string account, const std::vector<StoredMessage>& messages)
        : store_(store), account_(std::move(account)), snapshot_(messages) {
        for (const auto& message : snapshot_) {
            infos_.push_back({message.uid, message.content.size()});
        }
    }
    ~Drop() override {
        if (Account* account = store_.find(account_)) {
            account->locked = false;
        }
    }
    Drop(const Drop&) = delete;
    Drop& operator=(const Drop&) = delete;

    const std::vector<MessageInfo>& messages() const override { return infos_; }
    std::string read(std::size_t index) override { return snapshot_.at(index).content; }

    bool remove(const std::vector<std::size_t>& indexes) override {
        Account* account = store_.find(account_);
        if (store_.fail_removals_ || account == nullptr) {
            return false;
        }
        // By UID: mail that arrived during the session is kept and positions may have moved.
        auto& stored = account->messages;
        store_.changes_ += std::erase_if(stored, [&](const StoredMessage& message) {
            return std::any_of(indexes.begin(), indexes.end(), [&](std::size_t index) {
                return snapshot_.at(index).uid == message.uid;
            });
        });
        return true;
    }

  private:
    MemoryStore& store_;
    std::string account_;
    std::vector<StoredMessage> snapshot_;
    std::vector<MessageInfo> infos_;
};

void MemoryStore::add_account(std::string name, std::string password) {
    accounts_[std::move(name)].password = std::move(password);
}

std::string MemoryStore::add_message(std::string_view account, std::string_view content) {
    Account* target = find(account);
    if (target == nullptr) {
        throw std::invalid_argument("MemoryStore: no account " + std::string(account));
    }
    std::string uid = "mem" + std::to_string(next_uid_++);
    target->messages.push_back({uid, with_crlf_line_ends(content)});
    ++changes_;
    return uid;
}

std::vector<std::string> MemoryStore::contents(std::string_view account) const {
    std::vector<std::string> out;
    if (const Account* source = find(account)) {
        for (const auto& message : source->messages) {
            out.push_back(message.content);
        }
    }
    return out;
}

bool MemoryStore::locked(std::string_view account) const {
    const Account* source = find(account);
    return source != nullptr && source->locked;
}

std::optional<std::string> MemoryStore::authenticate(std::string_view user,
                                                     std::string_view password) {
    const Account* account = find(user);
    if (account == nullptr || account->password != password) {
        return std::nullopt;
    }
    return std::string(user);
}

std::optional<std::string> MemoryStore::authenticate_apop(std::string_view user,
                                                          std::string_view timestamp,
                                                          std::string_view digest) {
    const Account* account = find(user);
    if (account == nullptr) {
        return std::nullopt;
    }
    const std::string expected = detail::md5_hex(std::string(timestamp) + account->password);
    if (expected != digest) {
        return std::nullopt;
    }
    return std::string(user);
}

LockResult MemoryStore::open(std::string_view account, std::unique_ptr<Maildrop>& out) {
    Account* target = find(account);
    if (target == nullptr) {
        return LockResult::failed;
    }
    if (target->locked) {
        return LockResult::in_use;
    }
    target->locked = true;
    out = std::make_unique<Drop>(*this, std::string(account), target->messages);
    return LockResult::locked;
}

MemoryStore::Account* MemoryStore::find(std::string_view name) {
    const auto it = accounts_.find(name);
    return it == accounts_.end() ? nullptr : &it->second;
}

const MemoryStore::Account* MemoryStore::find(std::string_view name) const {
    const auto it = accounts_.find(name);
    return it == accounts_.end() ? nullptr : &it->second;
}

}  // namespace mh::proto::pop3
