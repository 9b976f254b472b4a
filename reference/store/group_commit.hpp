#pragma once
// Durable delivery with group commit. Sessions stage their message into tmp/ on their own
// thread; the committer thread takes every staged message pending at that moment, fsyncs them
// (several at once) and renames them into new/; the publisher thread then fsyncs each touched
// new/ folder once and only then completes each waiter. The two stages overlap: while one
// batch's folders are fsynced, the next batch's files already are, so their journal commits
// can share a disk flush. Under load many sessions share one directory fsync; the 250 reply
// that follows a completion therefore always means "on disk" (RFC 5321 4.1.1.4 / 6.1: no
// acknowledged loss).

#include <condition_variable>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "proto/smtp/session.hpp"
#include "reference/store/maildir.hpp"

namespace mh::reference {

// Where one copy goes: a maildir folder, and bytes written before the content (the relay
// queue puts the envelope there; mailboxes use none).
struct Placement {
    std::filesystem::path maildir;
    std::string prefix;
};

struct DeliveryResult {
    proto::smtp::DeliveryStatus status = proto::smtp::DeliveryStatus::stored;
    std::string id;     // file name of the first copy (the queue id in logs); empty in discard
    std::string error;  // why, when not stored
};

using DeliveryCompletion = std::function<void(DeliveryResult)>;

enum class Durability {
    durable,  // write, fsync, rename, fsync the folder
    discard,  // accept and drop: for load-testing clients, never for real mail
    // write and rename into new/ at once, no fsync: visible to POP3 at once and kept when the
    // process dies (the page cache has it), lost on power failure. For throwaway stores only:
    // the embedded target of `run`, a temporary folder removed at exit.
    unsynced,
};

class GroupCommitter {
  public:
    explicit GroupCommitter(Durability durability);
    // Finishes every submitted job, then joins the committer thread.
    ~GroupCommitter();
    GroupCommitter(const GroupCommitter&) = delete;
    GroupCommitter& operator=(const GroupCommitter&) = delete;

    // One copy of `content` per placement; `done` runs once, on the committer thread (or on
    // the caller's thread when staging fails, and in discard and unsynced modes).
    void submit(const std::vector<Placement>& placements, std::string_view content,
                DeliveryCompletion done);

    Durability durability() const { return durability_; }
    // Commit passes made so far (each pass fsyncs a batch); for tests and stats.
    std::size_t passes() const;

  private:
    struct Job {
        std::vector<StagedMessage> staged;
        DeliveryCompletion done;
    };
    // A batch whose files are durable and renamed, waiting for its folders' fsync.
    struct Renamed {
        std::vector<Job> jobs;
        std::vector<DeliveryResult> results;
        std::set<std::filesystem::path> folders;
    };
    class SyncPool;

    void run_committer();
    void run_publisher();
    Renamed sync_and_rename(std::vector<Job> batch);
    static void publish(std::vector<Renamed>& batches);

    Durability durability_;
    mutable std::mutex mutex_;
    std::condition_variable wake_committer_;
    std::condition_variable wake_publisher_;
    std::vector<Job> pending_;
    std::vector<Renamed> renamed_;
    bool stopping_ = false;
    bool committer_done_ = false;
    std::size_t passes_ = 0;
    std::unique_ptr<SyncPool> pool_;
    std::thread committer_;
    std::thread publisher_;
};

// Maps a failed file operation to the SMTP outcome: a full disk is 452/552 material
// (insufficient_storage), anything else is a transient 451.
proto::smtp::DeliveryStatus status_for_error(const std::system_error& error);

}  // namespace mh::reference
