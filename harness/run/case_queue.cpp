#include "harness/run/case_queue.hpp"

#include <algorithm>
#include <numeric>

namespace mh::harness::run {

CaseQueue::CaseQueue(std::vector<std::vector<std::string>> mailboxes)
    : mailboxes_(std::move(mailboxes)), waiting_(mailboxes_.size()) {
    std::iota(waiting_.begin(), waiting_.end(), std::size_t{0});
}

bool CaseQueue::free_to_start(std::size_t index) const {
    const auto& keys = mailboxes_[index];
    return std::none_of(keys.begin(), keys.end(),
                        [this](const std::string& key) { return busy_.count(key) != 0; });
}

std::optional<std::size_t> CaseQueue::take(const std::stop_token& stop) {
    std::unique_lock lock(mutex_);
    std::optional<std::size_t> chosen;
    changed_.wait(lock, stop, [&] {
        const auto found = std::find_if(waiting_.begin(), waiting_.end(),
                                        [this](std::size_t i) { return free_to_start(i); });
        if (found != waiting_.end()) {
            chosen = *found;
            waiting_.erase(found);
        }
        return chosen || waiting_.empty();
    });
    if (chosen) {
        busy_.insert(mailboxes_[*chosen].begin(), mailboxes_[*chosen].end());
    }
    return chosen;
}

void CaseQueue::done(std::size_t index) {
    if (mailboxes_[index].empty()) {
        return;  // frees nothing another case could wait for
    }
    {
        std::lock_guard lock(mutex_);
        for (const auto& key : mailboxes_[index]) {
            busy_.erase(key);
        }
    }
    changed_.notify_all();
}

void JobSlots::take(bool urgent) {
    std::unique_lock lock(mutex_);
    if (urgent) {
        ++urgent_waiting_;
    }
    freed_.wait(lock, [&] { return free_ > 0 && (urgent || urgent_waiting_ == 0); });
    --free_;
    if (urgent && --urgent_waiting_ == 0 && free_ > 0) {
        lock.unlock();
        freed_.notify_all();  // the others may have gone back to sleep while this one waited
    }
}

unsigned JobSlots::urgent_waiting() {
    std::lock_guard lock(mutex_);
    return urgent_waiting_;
}

void JobSlots::give_back() {
    {
        std::lock_guard lock(mutex_);
        ++free_;
    }
    freed_.notify_all();
}

}  // namespace mh::harness::run
