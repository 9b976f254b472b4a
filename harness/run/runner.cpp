#include "harness/run/runner.hpp"

#include <chrono>
#include <ctime>
#include <mutex>
#include <set>
#include <thread>

#include "harness/run/capabilities.hpp"
#include "harness/run/case_queue.hpp"
#include "harness/run/case_runner.hpp"
#include "harness/scenario/variables.hpp"

namespace mh::harness::run {

namespace {

using namespace scenario;

std::string utc_now_iso8601() {
    const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm parts{};
    gmtime_r(&now, &parts);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
    return text;
}

// The account user names a case's mailboxes refer to (after built-in substitution); names
// that do not resolve are kept as written, so they still serialise against each other.
std::vector<std::string> mailbox_keys(const Case& kase, const TargetProfile& profile) {
    std::set<std::string> keys;
    for (const auto& written : kase.mailboxes) {
        std::string name = written;
        try {
            name = substitute(written, [&](const std::string& variable) {
                return builtin_variable(variable, profile);
            });
        } catch (const std::exception&) {
            // Left as written: the case itself reports the missing value.
        }
        const Account* account = profile.find_account(name);
        keys.insert(account ? account->user : name);
    }
    return {keys.begin(), keys.end()};
}

void apply_waivers(RunResult& run, const TargetProfile& profile) {
    std::set<std::string> used;
    for (CaseResult& result : run.cases) {
        if (result.outcome != Outcome::fail) {
            continue;
        }
        for (const Waiver& waiver : profile.waivers) {
            if (glob_match(waiver.case_glob, result.full_id())) {
                result.outcome = Outcome::waived;
                result.waiver_reason = waiver.reason;
                used.insert(waiver.case_glob);
                break;
            }
        }
    }
    for (const Waiver& waiver : profile.waivers) {
        if (!used.count(waiver.case_glob)) {
            run.unused_waivers.push_back(waiver.case_glob);
        }
    }
}

}  // namespace

unsigned idle_cases(unsigned jobs) {
    return std::min(16 * jobs, 64u);
}

std::vector<SelectedCase> select_cases(const std::vector<Suite>& suites, const Selection& selection,
                                       const std::optional<Shard>& shard) {
    std::vector<SelectedCase> out;
    for (const Suite& suite : suites) {
        for (const Case& kase : suite.cases) {
            if (!selection.selects(suite, kase)) {
                continue;
            }
            if (shard && !in_shard(suite.id + "/" + kase.id, shard->index, shard->count)) {
                continue;
            }
            out.push_back(SelectedCase{&suite, &kase});
        }
    }
    return out;
}

RunResult run_suites(const std::vector<Suite>& suites, const TargetProfile& profile,
                     const RunOptions& options) {
    const auto started = std::chrono::steady_clock::now();
    RunResult run;
    run.tool_version = options.tool_version;
    run.started_at = utc_now_iso8601();
    if (options.shard) {
        run.partial = options.shard->count > 1;
        run.shard =
            std::to_string(options.shard->index) + "/" + std::to_string(options.shard->count);
    }
    run.target.name = profile.name;
    if (profile.smtp) {
        run.target.smtp = profile.smtp->describe();
    }
    if (profile.pop3) {
        run.target.pop3 = profile.pop3->describe();
    }

    const std::vector<SelectedCase> selected =
        select_cases(suites, options.selection, options.shard);
    const Capabilities capabilities =
        probe_capabilities(profile, options.probe_timeout, options.stop);
    run.target.smtp_capabilities = capabilities.smtp.keywords;
    run.target.pop3_capabilities = capabilities.pop3.keywords;
    const bool any_configured = capabilities.smtp.configured || capabilities.pop3.configured;
    run.target_unreachable = any_configured && !capabilities.smtp.reachable &&
                             !capabilities.pop3.reachable && !options.stop.stop_requested();

    run.cases.resize(selected.size());
    std::vector<char> ran(selected.size(), 0);  // char, not bool: written from several threads
    std::vector<std::vector<std::string>> mailboxes;
    for (const SelectedCase& item : selected) {
        mailboxes.push_back(mailbox_keys(*item.kase, profile));
    }
    CaseQueue queue(mailboxes);
    std::mutex report_mutex;
    const unsigned jobs =
        options.jobs != 0 ? options.jobs : std::max(1u, std::thread::hardware_concurrency());
    JobSlots slots(jobs);
    const auto worker = [&] {
        while (const auto next = queue.take(options.stop)) {
            const std::size_t i = *next;
            const SelectedCase& item = selected[i];
            CaseSlot slot(slots, !mailboxes[i].empty());
            slot.take();
            if (options.stop.stop_requested()) {
                slot.give_back();
                break;
            }
            run.cases[i] =
                run_case(*item.suite, *item.kase, profile, capabilities, options.stop, &slot);
            slot.give_back();
            ran[i] = 1;
            queue.done(i);
            if (options.on_case_done) {
                std::lock_guard guard(report_mutex);
                options.on_case_done(run.cases[i]);
            }
        }
    };
    const auto threads_wanted = static_cast<unsigned>(
        std::min<std::size_t>(jobs + idle_cases(jobs), std::max<std::size_t>(selected.size(), 1)));
    std::vector<std::thread> threads;
    for (unsigned j = 1; j < threads_wanted; ++j) {
        threads.emplace_back(worker);
    }
    worker();
    for (auto& thread : threads) {
        thread.join();
    }

    if (options.stop.stop_requested()) {
        run.interrupted = true;
        run.partial = true;
        std::vector<CaseResult> finished;
        for (std::size_t i = 0; i < selected.size(); ++i) {
            if (ran[i]) {
                finished.push_back(std::move(run.cases[i]));
            }
        }
        run.cases = std::move(finished);
    }
    apply_waivers(run, profile);
    run.duration_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count();
    return run;
}

}  // namespace mh::harness::run
