#pragma once
// Makes the relay queue's changes durable against power loss, on a thread of its own. The relay
// changes its queue with plain syscalls (append, rename, unlink) the moment something happens:
// a SIGKILL cannot undo them (the page cache survives the process), so a delivery recorded at
// the next hop's 250 is never resent after a crash. Only power loss or a kernel crash can undo
// them, and this thread closes that gap soon after, off the relay's delivery path: it fsyncs
// the files and folders it is told about, in batches, and unlinks a finished message's state
// file only once the message's own unlink is durable (otherwise power loss could bring the
// message back without the record that it was delivered).

#include <condition_variable>
#include <filesystem>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>

namespace mh::reference {

class QueueSync {
  public:
    using ErrorHandler = std::function<void(const std::string&)>;

    // `queue` holds new/ (messages) and state/; `on_error` gets each failure, on this thread.
    QueueSync(std::filesystem::path queue, ErrorHandler on_error);
    // Finishes what is pending, then joins the thread.
    ~QueueSync();
    QueueSync(const QueueSync&) = delete;
    QueueSync& operator=(const QueueSync&) = delete;

    // state/<id> was written (appended to or replaced): fsync it and state/.
    void state_written(const std::string& id);
    // new/<id> was unlinked: fsync new/, then unlink state/<id>.
    void message_removed(const std::string& id);
    // Returns once everything asked for before the call is durable (for tests and shutdown).
    void flush();

  private:
    void run();
    void sync_batch(const std::set<std::string>& written, const std::set<std::string>& removed);

    std::filesystem::path queue_;
    ErrorHandler on_error_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable done_;
    std::set<std::string> written_;
    std::set<std::string> removed_;
    std::size_t requested_ = 0;  // calls so far
    std::size_t synced_ = 0;     // calls whose batch is done
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace mh::reference
