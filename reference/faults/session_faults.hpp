#pragma once
// The fault layer of one session: it sits between the client's bytes and the proto session
// (the session never knows), splits the input into command lines, and decides for each one
// whether a rule of the plan fires. Message content (after 354, up to the final dot) and BDAT
// chunks pass untouched; the end of content can itself be faulted (command MESSAGE).
// Deterministic: the generator is seeded from the plan's seed and the session's number.

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "reference/faults/fault_plan.hpp"

namespace mh::reference {

class SessionFaults {
  public:
    SessionFaults(const FaultPlan& plan, FaultProtocol protocol, std::uint64_t session_number);

    // The fault for the greeting, if one fires.
    const FaultRule* on_connect();

    struct Step {
        std::size_t pass = 0;              // hand this many bytes to the session as they are
        const FaultRule* fault = nullptr;  // a rule fired for the line of `line` bytes
        std::size_t line = 0;              // (0 for MESSAGE: it applies to the reply)
    };
    // What to do with the start of `pending`. Neither pass nor fault: wait for more bytes.
    // After a delay fault, the next call lets the line pass.
    Step next(std::string_view pending, bool eof);
    // The session took `n` of the bytes next() let pass.
    void consumed(std::size_t n);
    // A reply opened message content (SMTP 354).
    void content_opened();

    // A MESSAGE fault with reply/malformed: the message is not stored, and the session's reply
    // to it is replaced by these bytes. Each is handed out once.
    bool take_skip_delivery();
    std::optional<std::string> take_replacement();

  private:
    const FaultRule* decide(std::string_view command);
    Step content_step(std::string_view pending);

    const FaultPlan& plan_;
    FaultProtocol protocol_;
    std::mt19937_64 random_;
    std::vector<unsigned> occurrences_;  // per rule
    std::size_t promised_ = 0;           // bytes already allowed through
    bool content_ = false;
    std::string content_tail_;  // the last bytes of content, to see CRLF.CRLF across reads
    std::uint64_t bdat_left_ = 0;
    bool skip_delivery_ = false;
    std::optional<std::string> replacement_;
};

// One per server: hands out the layers, numbering sessions for the seeds.
class FaultInjector {
  public:
    explicit FaultInjector(FaultPlan plan) : plan_(std::move(plan)) {}
    // nullptr when no rule concerns `protocol`.
    std::unique_ptr<SessionFaults> session(FaultProtocol protocol);

  private:
    FaultPlan plan_;
    std::uint64_t next_session_ = 0;
    std::mutex mutex_;
};

}  // namespace mh::reference
