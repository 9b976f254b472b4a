#include "reference/server/stop_signal.hpp"

#include <boost/asio/post.hpp>

namespace mh::reference {

StopSignal::StopSignal(const boost::asio::any_io_executor& strand) : strand_(strand) {}

void StopSignal::raise(StopLevel level) {
    if (level_.exchange(level) == level) {
        return;
    }
    // The waker belongs to the session's strand: call it there.
    boost::asio::post(strand_, [self = shared_from_this()] {
        if (self->waker_) {
            self->waker_();
        }
    });
}

StopRegistry::Enrollment::Enrollment(StopRegistry& registry, std::shared_ptr<StopSignal> signal)
    : registry_(registry), signal_(std::move(signal)) {
    std::lock_guard lock(registry_.mutex_);
    registry_.signals_.insert(signal_);
    if (registry_.level_ != StopLevel::running) {
        signal_->raise(registry_.level_);
    }
}

StopRegistry::Enrollment::~Enrollment() {
    std::lock_guard lock(registry_.mutex_);
    registry_.signals_.erase(signal_);
}

void StopRegistry::raise_all(StopLevel level) {
    std::lock_guard lock(mutex_);
    level_ = level;
    for (const auto& signal : signals_) {
        signal->raise(level);
    }
}

}  // namespace mh::reference
