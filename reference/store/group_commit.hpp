#pragma once
// Durable delivery with group commit. Sessions stage their message into tmp/ on their own
// thread; one committer thread takes every staged message pending at that moment, fsyncs them,
// renames them into new/, fsyncs each touched new/ folder once, and only then completes each
// waiter. Under load many sessions share one directory fsync; the 250 reply that follows a
// completion therefore always means "on disk" (RFC 5321 4.1.1.4 / 6.1: no acknowledged loss).

#include <condition_variable>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <mutex>
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
};

class GroupCommitter {
  public:
    explicit GroupCommitter(Durability durability);
    // Finishes every submitted job, then joins the committer thread.
    ~GroupCommitter();
    GroupCommitter(const GroupCommitter&) = delete;
    GroupCommitter& operator=(const GroupCommitter&) = delete;

    // One copy of `content` per placement; `done` runs once, on the committer thread (or on
    // the caller's thread when staging fails or in discard mode).
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
    void run();
    void commit(std::vector<Job>& batch);
    // fsyncs every staged file of the batch, several at once; a failure goes to its result.
    static void sync_files(std::vector<Job>& batch, std::vector<DeliveryResult>& results);

    Durability durability_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::vector<Job> pending_;
    bool stopping_ = false;
    std::size_t passes_ = 0;
    std::thread committer_;
};

// Maps a failed file operation to the SMTP outcome: a full disk is 452/552 material
// (insufficient_storage), anything else is a transient 451.
proto::smtp::DeliveryStatus status_for_error(const std::system_error& error);

}  // namespace mh::reference
