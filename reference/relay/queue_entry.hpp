#pragma once
// One message of the relay queue as the relay sees it: the file the server wrote
// (QUEUE/new/<id>: envelope in command form, then the message; see maildir_queue.hpp) and a
// state file beside it (QUEUE/state/<id>) that records attempts and which recipients are
// finished. The message file is never rewritten; the state file is replaced atomically
// (write, fsync, rename, fsync the folder), so a crash leaves either the old or the new state.

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace mh::reference {

struct QueuedMessage {
    std::string id;  // the file name in new/
    std::string mail_from;
    std::vector<std::string> recipients;
    std::string message;                            // CRLF line ends, not dot-stuffed
    std::chrono::system_clock::time_point arrival;  // when the server queued it
};

// Reads QUEUE/new/<id>. Throws std::runtime_error naming the file and what is wrong with it.
QueuedMessage read_queued_message(const std::filesystem::path& file);

struct QueueState {
    unsigned attempts = 0;                                 // failed attempts so far
    std::chrono::system_clock::time_point next_attempt{};  // not before this
    std::vector<std::string> finished;                     // recipients delivered or bounced

    bool finished_with(const std::string& recipient) const;
};

// The queue's state folder, QUEUE/state.
class QueueStateStore {
  public:
    explicit QueueStateStore(std::filesystem::path queue);  // creates QUEUE/state

    // An absent file is a fresh state. A damaged one is ignored (a fresh state: at worst a
    // recipient gets a duplicate, never a loss).
    QueueState load(const std::string& id) const;
    // Atomic and durable. Throws std::system_error.
    void save(const std::string& id, const QueueState& state) const;
    // The message and then its state; the message first, so that a crash in between leaves a
    // state without message, which remove_orphans() clears. Throws std::system_error.
    void remove_message(const std::string& id) const;
    // State files whose message is gone.
    void remove_orphans() const;

    std::filesystem::path message_path(const std::string& id) const;
    std::filesystem::path new_dir() const { return queue_ / "new"; }

  private:
    std::filesystem::path queue_;
    std::filesystem::path state_dir_;
};

}  // namespace mh::reference
