#include "reference/store/group_commit.hpp"

#include <algorithm>
#include <cerrno>
#include <set>
#include <system_error>

namespace mh::reference {

using proto::smtp::DeliveryStatus;

DeliveryStatus status_for_error(const std::system_error& error) {
    const int code = error.code().value();
    return (code == ENOSPC || code == EDQUOT) ? DeliveryStatus::insufficient_storage
                                              : DeliveryStatus::temporary_failure;
}

GroupCommitter::GroupCommitter(Durability durability) : durability_(durability) {
    if (durability_ == Durability::durable) {
        committer_ = std::thread([this] { run(); });
    }
}

GroupCommitter::~GroupCommitter() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (committer_.joinable()) {
        committer_.join();
    }
}

std::size_t GroupCommitter::passes() const {
    std::lock_guard lock(mutex_);
    return passes_;
}

void GroupCommitter::submit(const std::vector<Placement>& placements, std::string_view content,
                            DeliveryCompletion done) {
    if (durability_ == Durability::discard) {
        done(DeliveryResult{});
        return;
    }
    Job job;
    job.done = std::move(done);
    try {
        for (const Placement& placement : placements) {
            job.staged.emplace_back(placement.maildir, placement.prefix, content);
        }
    } catch (const std::system_error& e) {
        job.done(DeliveryResult{status_for_error(e), {}, e.what()});
        return;  // the staged copies unlink themselves
    }
    {
        std::lock_guard lock(mutex_);
        pending_.push_back(std::move(job));
    }
    wake_.notify_one();
}

void GroupCommitter::run() {
    for (;;) {
        std::vector<Job> batch;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
            if (pending_.empty()) {
                return;  // stopping, and nothing left to commit
            }
            batch.swap(pending_);
        }
        commit(batch);
        std::lock_guard lock(mutex_);
        ++passes_;
    }
}

namespace {

// Threads that fsync the files of one batch at once. Concurrent fsyncs share the disk's
// journal commits and cache flushes; one after another, each new file waits for its own
// (measured here: ten 1 KB files in ~10-17 ms serially, ~2 ms on ten threads).
constexpr std::size_t kSyncThreads = 8;

}  // namespace

void GroupCommitter::sync_files(std::vector<Job>& batch, std::vector<DeliveryResult>& results) {
    // Thread t syncs jobs t, t + n, ...: each job (and its result) belongs to one thread.
    auto sync_share = [&batch, &results](std::size_t first, std::size_t step) {
        for (std::size_t i = first; i < batch.size(); i += step) {
            try {
                for (StagedMessage& message : batch[i].staged) {
                    message.sync_file();
                }
            } catch (const std::system_error& e) {
                results[i] = {status_for_error(e), {}, e.what()};
            }
        }
    };
    const std::size_t threads = std::min(batch.size(), kSyncThreads);
    std::vector<std::thread> helpers;
    for (std::size_t t = 1; t < threads; ++t) {
        try {
            helpers.emplace_back(sync_share, t, threads);
        } catch (const std::system_error&) {
            sync_share(t, threads);  // no thread to spare: this share on this thread
        }
    }
    sync_share(0, std::max<std::size_t>(threads, 1));
    for (std::thread& helper : helpers) {
        helper.join();
    }
}

void GroupCommitter::commit(std::vector<Job>& batch) {
    std::vector<DeliveryResult> results(batch.size());
    sync_files(batch, results);
    std::set<std::filesystem::path> folders;
    for (std::size_t i = 0; i < batch.size(); ++i) {
        if (results[i].status != DeliveryStatus::stored) {
            continue;  // its fsync failed: never published, the staged copies unlink themselves
        }
        try {
            for (StagedMessage& message : batch[i].staged) {
                message.publish();
                folders.insert(message.new_dir());
            }
            if (!batch[i].staged.empty()) {
                results[i].id = batch[i].staged.front().name();
            }
        } catch (const std::system_error& e) {
            results[i] = {status_for_error(e), {}, e.what()};
        }
    }
    // One fsync per touched folder makes every rename above durable at once.
    std::set<std::filesystem::path> failed_folders;
    std::string folder_error;
    for (const auto& folder : folders) {
        try {
            sync_directory(folder);
        } catch (const std::system_error& e) {
            failed_folders.insert(folder);
            folder_error = e.what();
        }
    }
    for (std::size_t i = 0; i < batch.size(); ++i) {
        for (const StagedMessage& message : batch[i].staged) {
            if (results[i].status == DeliveryStatus::stored &&
                failed_folders.count(message.new_dir()) != 0) {
                // Visible but maybe not durable: say 451 so the client retries (a duplicate
                // is better than a loss).
                results[i] = {DeliveryStatus::temporary_failure, {}, folder_error};
            }
        }
        batch[i].done(std::move(results[i]));
    }
}

}  // namespace mh::reference
