#pragma once
// Scheduling for run_suites: which selected case starts next, and who gets a free --jobs slot.
//
// Cases that share a mailbox must not overlap, and such a chain is the run's critical path
// (every POP3 case of the bundled suites logs in as ${user1}). A worker therefore never waits
// for a busy mailbox while a later case could run: the queue hands out the first case, in
// suite order, whose mailboxes are all free. And when slots are short, a case on a mailbox
// goes first, since every later case on that mailbox waits for it.

#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>
#include <set>
#include <stop_token>
#include <string>
#include <vector>

#include "harness/run/case_runner.hpp"

namespace mh::harness::run {

class CaseQueue {
  public:
    // mailboxes[i]: the mailbox keys of case i (any order); the cases start in index order
    // unless a mailbox holds one back.
    explicit CaseQueue(std::vector<std::vector<std::string>> mailboxes);

    // The next case to run, its mailboxes now taken; waits while every case left needs a busy
    // mailbox. nullopt once every case was handed out, or on a stop request.
    std::optional<std::size_t> take(const std::stop_token& stop);
    // Case `index` (from take) finished: its mailboxes are free again.
    void done(std::size_t index);

  private:
    bool free_to_start(std::size_t index) const;

    std::vector<std::vector<std::string>> mailboxes_;
    std::vector<std::size_t> waiting_;  // indices not handed out yet, in order
    std::set<std::string> busy_;
    std::mutex mutex_;
    std::condition_variable_any changed_;
};

// The --jobs slots. A case holds one while it exchanges bytes and gives it back during idle
// waits; waiters marked `urgent` (cases on a mailbox) are served before the others.
class JobSlots {
  public:
    explicit JobSlots(unsigned jobs) : free_(jobs) {}
    void take(bool urgent);
    void give_back();
    unsigned urgent_waiting();  // for tests

  private:
    std::mutex mutex_;
    std::condition_variable freed_;
    unsigned free_;
    unsigned urgent_waiting_ = 0;
};

// One case's view of the slots, for run_case: the idle waits give its slot back and take one
// again with the case's urgency.
class CaseSlot final : public IdleWaits {
  public:
    CaseSlot(JobSlots& slots, bool urgent) : slots_(slots), urgent_(urgent) {}
    void take() { slots_.take(urgent_); }
    void give_back() { slots_.give_back(); }
    void begin() override { give_back(); }
    void end() override { take(); }

  private:
    JobSlots& slots_;
    bool urgent_;
};

}  // namespace mh::harness::run
