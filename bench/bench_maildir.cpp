// Maildir delivery through the group commit: ns per delivered message, durable (fsync) and
// discard, with 1 and 8 concurrent writers (group commit shares fsyncs between writers).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <future>
#include <string>

#include "reference/store/group_commit.hpp"
#include "reference/store/maildir.hpp"

namespace {

using mh::reference::DeliveryResult;
using mh::reference::Durability;
using mh::reference::GroupCommitter;
using mh::reference::Placement;

// One committer and mailbox shared by the benchmark's threads.
struct Shared {
    std::filesystem::path root;
    std::unique_ptr<GroupCommitter> committer;
    std::vector<Placement> placements;
};

Shared& shared() {
    static Shared instance;
    return instance;
}

void deliver(benchmark::State& state, Durability durability) {
    Shared& s = shared();
    if (state.thread_index() == 0) {
        std::string pattern = (std::filesystem::temp_directory_path() / "mh-bench-XXXXXX").string();
        if (mkdtemp(pattern.data()) == nullptr) {
            state.SkipWithError("mkdtemp failed");
        }
        s.root = pattern;
        s.committer = std::make_unique<GroupCommitter>(durability);
        s.placements = {Placement{mh::reference::ensure_account_maildir(s.root, "bench"), {}}};
    }
    const std::string message = "Received: from bench\r\nSubject: bench\r\n\r\n" +
                                std::string(static_cast<std::size_t>(state.range(0)), 'x') + "\r\n";
    for (auto _ : state) {
        std::promise<DeliveryResult> done;
        s.committer->submit(s.placements, message,
                            [&done](DeliveryResult r) { done.set_value(std::move(r)); });
        benchmark::DoNotOptimize(done.get_future().get());
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                            static_cast<std::int64_t>(message.size()));
    if (state.thread_index() == 0) {
        s.committer.reset();
        std::filesystem::remove_all(s.root);
    }
}

void BM_DeliverDurable(benchmark::State& state) {
    deliver(state, Durability::durable);
}
void BM_DeliverDiscard(benchmark::State& state) {
    deliver(state, Durability::discard);
}

BENCHMARK(BM_DeliverDurable)->Arg(4096)->Threads(1)->Threads(8)->UseRealTime();
BENCHMARK(BM_DeliverDiscard)->Arg(4096)->Threads(1)->Threads(8)->UseRealTime();

}  // namespace
