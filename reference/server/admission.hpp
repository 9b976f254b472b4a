#pragma once
// Connection limits: how many sessions the server holds at once, in all and per client
// address. A refused connection gets a temporary-failure greeting and is closed, so a
// well-behaved client retries later (RFC 5321 3.8 421; RFC 2449 8.1.2 [SYS/TEMP]).

#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace mh::reference {

class Admission {
  public:
    enum class Verdict { admitted, server_full, address_full };

    // Held by an admitted session; releasing it frees the slot.
    class Ticket {
      public:
        Ticket() = default;
        Ticket(Ticket&& other) noexcept;
        Ticket& operator=(Ticket&& other) noexcept;
        Ticket(const Ticket&) = delete;
        Ticket& operator=(const Ticket&) = delete;
        ~Ticket();

      private:
        friend class Admission;
        Ticket(Admission* owner, std::string address)
            : owner_(owner), address_(std::move(address)) {}
        void release();
        Admission* owner_ = nullptr;
        std::string address_;
    };

    Admission(std::size_t max_total, std::size_t max_per_address);

    // On `admitted`, `ticket` holds the slot until it is destroyed.
    Verdict admit(const std::string& address, Ticket& ticket);
    std::size_t open() const;

  private:
    void release(const std::string& address);

    const std::size_t max_total_;
    const std::size_t max_per_address_;
    mutable std::mutex mutex_;
    std::size_t total_ = 0;
    std::unordered_map<std::string, std::size_t> per_address_;  // only addresses with sessions
};

}  // namespace mh::reference
