#include "harness/bench/scenario_load.hpp"

#include <memory>
#include <mutex>
#include <optional>

#include "harness/run/case_runner.hpp"

namespace mh::harness::bench {

std::vector<run::SelectedCase> runnable_cases(const std::vector<run::SelectedCase>& selected,
                                              const run::Capabilities& capabilities,
                                              std::vector<std::string>& skipped) {
    std::vector<run::SelectedCase> out;
    for (const run::SelectedCase& item : selected) {
        const run::EndpointProbe& probe = capabilities.of(item.suite->protocol);
        const std::string missing = probe.configured
                                        ? run::first_missing(item.kase->requires_, probe)
                                        : std::string("an endpoint for the protocol");
        if (missing.empty()) {
            out.push_back(item);
        } else {
            skipped.push_back(item.suite->id + "/" + item.kase->id +
                              ": the target does not advertise " + missing);
        }
    }
    return out;
}

SessionBody scenario_session(const ScenarioLoadOptions& options) {
    // Shared by every session of the run: the cases that count a mailbox's messages.
    auto mailbox_cases = std::make_shared<std::mutex>();
    return [options, mailbox_cases](SessionEnv& env) -> boost::asio::awaitable<void> {
        while (auto ticket = env.pacer.next(Clock::now())) {
            co_await env.wait_for(*ticket);
            const run::SelectedCase& item = options.cases[ticket->sequence % options.cases.size()];
            std::optional<std::lock_guard<std::mutex>> one_at_a_time;
            if (!item.kase->mailboxes.empty()) {
                one_at_a_time.emplace(*mailbox_cases);
            }
            const auto started = Clock::now();
            const CaseResult result =
                run::run_case(*item.suite, *item.kase, *options.profile, options.capabilities);
            one_at_a_time.reset();
            if (result.outcome == Outcome::pass) {
                if (!ticket->warmup) {
                    env.stats.commands[result.full_id()].record(
                        unit_latency(*ticket, started, Clock::now(), false));
                }
                env.unit_done(*ticket, started, 0);
            } else {
                // The class as the detail, not the message: messages hold unique values, and
                // the table of failures must stay bounded by the number of cases.
                env.failed(*ticket, result.full_id(), to_string(result.outcome),
                           to_string(result.outcome));
            }
        }
    };
}

}  // namespace mh::harness::bench
