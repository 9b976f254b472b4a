#include "reference/server/admission.hpp"

#include <utility>

namespace mh::reference {

Admission::Ticket::Ticket(Ticket&& other) noexcept
    : owner_(std::exchange(other.owner_, nullptr)), address_(std::move(other.address_)) {}

Admission::Ticket& Admission::Ticket::operator=(Ticket&& other) noexcept {
    if (this != &other) {
        release();
        owner_ = std::exchange(other.owner_, nullptr);
        address_ = std::move(other.address_);
    }
    return *this;
}

Admission::Ticket::~Ticket() {
    release();
}

void Admission::Ticket::release() {
    if (owner_ != nullptr) {
        std::exchange(owner_, nullptr)->release(address_);
    }
}

Admission::Admission(std::size_t max_total, std::size_t max_per_address)
    : max_total_(max_total), max_per_address_(max_per_address) {}

Admission::Verdict Admission::admit(const std::string& address, Ticket& ticket) {
    std::lock_guard lock(mutex_);
    if (total_ >= max_total_) {
        return Verdict::server_full;
    }
    auto [it, inserted] = per_address_.try_emplace(address, 0);
    if (it->second >= max_per_address_) {
        return Verdict::address_full;
    }
    ++it->second;
    ++total_;
    ticket = Ticket(this, address);
    return Verdict::admitted;
}

std::size_t Admission::open() const {
    std::lock_guard lock(mutex_);
    return total_;
}

void Admission::release(const std::string& address) {
    std::lock_guard lock(mutex_);
    --total_;
    auto it = per_address_.find(address);
    if (it != per_address_.end() && --it->second == 0) {
        per_address_.erase(it);
    }
}

}  // namespace mh::reference
