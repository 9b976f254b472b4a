#include "reference/relay/queue_sync.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "reference/store/maildir.hpp"

namespace mh::reference {

QueueSync::QueueSync(std::filesystem::path queue, ErrorHandler on_error)
    : queue_(std::move(queue)), on_error_(std::move(on_error)), thread_([this] { run(); }) {}

QueueSync::~QueueSync() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
}

void QueueSync::state_written(const std::string& id) {
    {
        std::lock_guard lock(mutex_);
        written_.insert(id);
        ++requested_;
    }
    wake_.notify_one();
}

void QueueSync::message_removed(const std::string& id) {
    {
        std::lock_guard lock(mutex_);
        removed_.insert(id);
        ++requested_;
    }
    wake_.notify_one();
}

void QueueSync::flush() {
    std::unique_lock lock(mutex_);
    const std::size_t target = requested_;
    done_.wait(lock, [&] { return synced_ >= target; });
}

void QueueSync::run() {
    for (;;) {
        std::set<std::string> written;
        std::set<std::string> removed;
        std::size_t batch_end = 0;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || requested_ != synced_; });
            if (requested_ == synced_) {
                return;  // stopping, and nothing left to make durable
            }
            written.swap(written_);
            removed.swap(removed_);
            batch_end = requested_;
        }
        sync_batch(written, removed);
        {
            std::lock_guard lock(mutex_);
            synced_ = batch_end;
        }
        done_.notify_all();
    }
}

void QueueSync::sync_batch(const std::set<std::string>& written,
                           const std::set<std::string>& removed) {
    const auto state_dir = queue_ / "state";
    for (const auto& id : written) {
        const auto file = state_dir / id;
        const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            if (errno != ENOENT) {  // ENOENT: the message finished and its state went since
                on_error_("cannot open " + file.string() + ": " + std::strerror(errno));
            }
            continue;
        }
        if (::fsync(fd) != 0) {
            on_error_("cannot fsync " + file.string() + ": " + std::strerror(errno));
        }
        ::close(fd);
    }
    try {
        if (!written.empty()) {
            sync_directory(state_dir);
        }
        if (!removed.empty()) {
            sync_directory(queue_ / "new");
            for (const auto& id : removed) {
                if (::unlink((state_dir / id).c_str()) != 0 && errno != ENOENT) {
                    on_error_("cannot remove " + (state_dir / id).string() + ": " +
                              std::strerror(errno));
                }
            }
        }
    } catch (const std::system_error& e) {
        // The message stays removed; its state file is left for remove_orphans() at the next
        // start (a state without message is harmless).
        on_error_(e.what());
    }
}

}  // namespace mh::reference
