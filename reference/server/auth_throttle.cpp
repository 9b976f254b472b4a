#include "reference/server/auth_throttle.hpp"

#include <algorithm>

namespace mh::reference {

AuthThrottle::AuthThrottle(std::chrono::milliseconds base, std::chrono::milliseconds max,
                           std::chrono::seconds forget_after, std::size_t max_addresses)
    : base_(base), max_(max), forget_after_(forget_after), max_addresses_(max_addresses) {}

std::chrono::milliseconds AuthThrottle::failed(const std::string& address, Clock::time_point now) {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(address);
    if (it == entries_.end()) {
        make_room(now);
        it = entries_.emplace(address, Entry{}).first;
    } else if (now - it->second.last > forget_after_) {
        it->second.failures = 0;
    }
    Entry& entry = it->second;
    entry.failures = std::min(entry.failures + 1, 32U);
    entry.last = now;
    // base * 2^(failures-1) without overflow: stop doubling once past the maximum.
    std::chrono::milliseconds delay = base_;
    for (unsigned i = 1; i < entry.failures && delay < max_; ++i) {
        delay *= 2;
    }
    return std::min(delay, max_);
}

std::size_t AuthThrottle::tracked() const {
    std::lock_guard lock(mutex_);
    return entries_.size();
}

void AuthThrottle::make_room(Clock::time_point now) {
    if (entries_.size() < max_addresses_) {
        return;
    }
    std::erase_if(entries_,
                  [&](const auto& item) { return now - item.second.last > forget_after_; });
    if (entries_.size() >= max_addresses_) {
        // Still full of recent guessers: forget the one idle longest.
        auto oldest = std::min_element(
            entries_.begin(), entries_.end(),
            [](const auto& a, const auto& b) { return a.second.last < b.second.last; });
        entries_.erase(oldest);
    }
}

}  // namespace mh::reference
