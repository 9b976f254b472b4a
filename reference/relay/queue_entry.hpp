#pragma once
// One message of the relay queue as the relay sees it: the file the server wrote
// (QUEUE/new/<id>: envelope in command form, then the message; see maildir_queue.hpp) and a
// state file beside it (QUEUE/state/<id>) that records attempts and which recipients are
// finished. The message file is never rewritten. The state file is replaced atomically (write,
// rename) when an attempt is scheduled and appended to when recipients finish; both are plain
// syscalls, durable against a crash of the process at once and against power loss a moment
// later (queue_sync.hpp), so recording a delivery never waits for a disk.

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "reference/relay/queue_sync.hpp"

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
    // Creates QUEUE/state; `on_error` gets the failures of the background fsyncs.
    QueueStateStore(std::filesystem::path queue, QueueSync::ErrorHandler on_error);

    // An absent file is a fresh state. A damaged one is ignored (a fresh state: at worst a
    // recipient gets a duplicate, never a loss).
    QueueState load(const std::string& id) const;
    // Replaces the whole state atomically (write, rename). Throws std::system_error.
    void save(const std::string& id, const QueueState& state);
    // Adds "done" records with one append: what the relay does the moment the next hop answers
    // 250, so that no crash of the process after it resends. Throws std::system_error.
    void record_finished(const std::string& id, const std::vector<std::string>& recipients);
    // Unlinks the message; its state goes once that unlink is durable (queue_sync.hpp), so a
    // crash in between leaves a state without message, which remove_orphans() clears.
    // Throws std::system_error.
    void remove_message(const std::string& id);
    // State files whose message is gone.
    void remove_orphans() const;
    // Waits until every change made so far is durable against power loss.
    void flush() { sync_.flush(); }

    std::filesystem::path message_path(const std::string& id) const;
    std::filesystem::path new_dir() const { return queue_ / "new"; }

  private:
    std::filesystem::path queue_;
    std::filesystem::path state_dir_;
    QueueSync sync_;  // last: its thread stops before the paths it uses go
};

}  // namespace mh::reference
