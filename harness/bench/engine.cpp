#include "harness/bench/engine.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <deque>
#include <memory>
#include <thread>
#include <vector>

#include <fmt/format.h>

namespace mh::harness::bench {

namespace asio = boost::asio;

void SessionEnv::unit_done(const Ticket& ticket, Clock::time_point started, std::uint64_t bytes) {
    if (ticket.warmup) {
        ++stats.warmup_units;
        return;
    }
    const auto now = Clock::now();
    stats.latency.record(unit_latency(ticket, started, now, pacer.open_loop()));
    ++stats.units;
    stats.bytes += bytes;
    live.units.fetch_add(1, std::memory_order_relaxed);
    live.bytes.fetch_add(bytes, std::memory_order_relaxed);
}

void SessionEnv::failed(const Ticket& ticket, const std::string& command,
                        const std::string& error_class, const std::string& detail) {
    if (ticket.warmup)
        return;
    stats.error(command, error_class, detail);
    live.errors.fetch_add(1, std::memory_order_relaxed);
}

asio::awaitable<void> SessionEnv::wait_for(const Ticket& ticket) {
    if (!pacer.open_loop() || ticket.intended <= Clock::now())
        co_return;
    asio::steady_timer timer(executor, ticket.intended);
    co_await timer.async_wait(asio::use_awaitable);
}

namespace {

struct Worker {
    Stats stats;
    LiveCounters live;
    std::deque<SessionEnv> sessions;  // stable addresses
    std::atomic<unsigned> running{0};
    std::thread thread;
    // Last, so it is destroyed first: abandoned sessions (idle timeout) release their frames
    // while what they refer to still exists.
    asio::io_context io{1};
};

std::uint64_t sum(const std::vector<std::unique_ptr<Worker>>& workers,
                  std::atomic<std::uint64_t> LiveCounters::*field) {
    std::uint64_t total = 0;
    for (const auto& w : workers)
        total += (w->live.*field).load(std::memory_order_relaxed);
    return total;
}

}  // namespace

unsigned default_threads(bool target_is_local) {
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    return target_is_local ? std::max(1u, cores / 2) : cores;
}

void run_load(const EngineOptions& options, const SessionBody& body, Report& report) {
    const unsigned threads = std::clamp(options.threads ? options.threads : default_threads(false),
                                        1u, std::max(1u, options.concurrency));
    const auto start = Clock::now();
    report.start_unix_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
    report.warmup_seconds = std::chrono::duration<double>(options.pacing.warmup).count();
    Pacer pacer(options.pacing, start);

    std::vector<std::unique_ptr<Worker>> workers;
    for (unsigned t = 0; t < threads; ++t)
        workers.push_back(std::make_unique<Worker>());
    for (unsigned i = 0; i < options.concurrency; ++i) {
        Worker& w = *workers[i % threads];
        SessionEnv& env =
            w.sessions.emplace_back(SessionEnv{w.io.get_executor(), pacer, w.stats, w.live, i});
        ++w.running;
        asio::co_spawn(w.io, body(env), [&w](std::exception_ptr) { --w.running; });
    }
    for (auto& w : workers)
        w->thread = std::thread([&io = w->io] { io.run(); });

    // Sample once a second; stop when every session has finished, or nothing moved for the
    // idle timeout (a server that stopped answering).
    auto all_done = [&] {
        return std::all_of(workers.begin(), workers.end(),
                           [](const auto& w) { return w->running.load() == 0; });
    };
    auto last_progress = start;
    std::uint64_t last_units = 0, last_bytes = 0, last_errors = 0, last_marker = 0;
    auto next_sample = start + std::chrono::seconds(1);
    bool timed_out = false;
    while (!all_done()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        const auto now = Clock::now();
        const std::uint64_t units = sum(workers, &LiveCounters::units);
        const std::uint64_t errors = sum(workers, &LiveCounters::errors);
        const std::uint64_t marker = units + errors;
        if (marker != last_marker || now < pacer.measure_start()) {
            last_marker = marker;
            last_progress = now;
        }
        if (now - last_progress > options.idle_timeout) {
            timed_out = true;
            break;
        }
        if (now < next_sample)
            continue;
        const std::uint64_t bytes = sum(workers, &LiveCounters::bytes);
        const Sample sample{std::chrono::duration<double>(now - start).count(), units - last_units,
                            bytes - last_bytes, errors - last_errors};
        report.timeline.push_back(sample);
        last_units = units;
        last_bytes = bytes;
        last_errors = errors;
        next_sample += std::chrono::seconds(1);
        if (options.progress) {
            const double elapsed =
                std::chrono::duration<double>(now - pacer.measure_start()).count();
            std::fprintf(options.progress, "\r%s%7.1f s  %10llu %ss  %9.0f/s now  %llu errors   ",
                         now < pacer.measure_start() ? "warm-up " : "", std::max(0.0, elapsed),
                         static_cast<unsigned long long>(units), report.unit.c_str(),
                         static_cast<double>(sample.units),
                         static_cast<unsigned long long>(errors));
            std::fflush(options.progress);
        }
    }
    const auto end = Clock::now();
    pacer.stop();
    if (timed_out)
        for (auto& w : workers)
            w->io.stop();
    for (auto& w : workers)
        w->thread.join();
    if (options.progress)
        std::fputs("\n", options.progress);

    for (auto& w : workers)
        report.stats.merge(w->stats);
    if (timed_out) {
        unsigned stuck = 0;
        for (auto& w : workers)
            stuck += w->running.load();
        report.stats.errors["timeout"] += stuck;
        report.stats.errors_by_command["session idle timeout"] += stuck;
    }
    report.measured_seconds =
        std::max(0.0, std::chrono::duration<double>(end - pacer.measure_start()).count());
}

}  // namespace mh::harness::bench
