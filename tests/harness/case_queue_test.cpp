// The runner's scheduling (harness/run/case_queue.*): cases on one mailbox never overlap, a
// busy mailbox does not hold back later cases on other mailboxes or none, and a case on a
// mailbox gets a free slot before cases on none.
#include "harness/run/case_queue.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace mh::harness::run {
namespace {

using namespace std::chrono_literals;

TEST(CaseQueue, HandsOutInOrderSkippingCasesWhoseMailboxIsBusy) {
    CaseQueue queue({{"alice"}, {"alice"}, {}, {"bob"}, {"alice", "bob"}});
    const std::stop_token none;
    EXPECT_EQ(queue.take(none), 0u);
    EXPECT_EQ(queue.take(none), 2u);  // case 1 waits for alice
    EXPECT_EQ(queue.take(none), 3u);
    queue.done(0);
    EXPECT_EQ(queue.take(none), 1u);  // alice is free again, and case 1 comes before case 4
    queue.done(3);
    queue.done(1);
    EXPECT_EQ(queue.take(none), 4u);
    queue.done(4);
    EXPECT_EQ(queue.take(none), std::nullopt);
}

TEST(CaseQueue, WaitsForABusyMailboxAndAStopEndsTheWait) {
    CaseQueue queue({{"alice"}, {"alice"}});
    std::stop_source stop;
    ASSERT_EQ(queue.take(stop.get_token()), 0u);
    std::atomic<bool> returned{false};
    std::optional<std::size_t> second;
    std::thread waiter([&] {
        second = queue.take(stop.get_token());
        returned = true;
    });
    std::this_thread::sleep_for(50ms);
    EXPECT_FALSE(returned);  // alice is busy: nothing to hand out yet
    queue.done(0);
    waiter.join();
    EXPECT_EQ(second, 1u);

    CaseQueue blocked({{"alice"}, {"alice"}});
    ASSERT_EQ(blocked.take(stop.get_token()), 0u);
    std::thread stopped([&] { EXPECT_EQ(blocked.take(stop.get_token()), std::nullopt); });
    stop.request_stop();
    stopped.join();
}

TEST(JobSlots, AnUrgentWaiterGetsTheFreedSlotFirst) {
    JobSlots slots(1);
    slots.take(false);
    std::atomic<int> order{0};
    std::atomic<int> urgent_got{0};
    std::atomic<int> plain_got{0};
    std::thread plain([&] {
        slots.take(false);
        plain_got = ++order;
        slots.give_back();
    });
    std::this_thread::sleep_for(20ms);  // the plain waiter is most likely queued first
    std::thread urgent([&] {
        slots.take(true);
        urgent_got = ++order;
        slots.give_back();
    });
    while (slots.urgent_waiting() == 0) {
        std::this_thread::sleep_for(1ms);
    }
    EXPECT_EQ(order, 0);  // both wait while the only slot is held
    slots.give_back();
    plain.join();
    urgent.join();
    EXPECT_EQ(urgent_got, 1);
    EXPECT_EQ(plain_got, 2);
}

}  // namespace
}  // namespace mh::harness::run
