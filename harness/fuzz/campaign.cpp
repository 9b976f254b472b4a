#include "harness/fuzz/campaign.hpp"

#include <atomic>
#include <condition_variable>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "harness/fuzz/case_writer.hpp"
#include "harness/fuzz/gate.hpp"
#include "harness/fuzz/mutator.hpp"

namespace mh::harness::fuzz {

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t max_corpus = 4096;
// A key whose findings keep failing to reproduce alone is given up after this many.
constexpr std::size_t max_unconfirmed_per_key = 3;

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

std::size_t bytes_of(const Conversation& c) {
    std::size_t total = 0;
    for (const Turn& turn : c.turns) {
        total += turn.bytes.size();
    }
    return total;
}

class Campaign {
  public:
    explicit Campaign(const CampaignOptions& options)
        : options_(options), start_(Clock::now()), end_(start_ + options.duration) {
        for (const auto& set : options.seed_sets) {
            std::vector<Conversation> kept;
            for (const Conversation& seed : set) {
                if (target_for(seed.protocol) != nullptr) {
                    kept.push_back(seed);
                }
            }
            if (!kept.empty()) {
                seed_sets_.push_back(std::move(kept));
            }
        }
    }

    CampaignSummary run() {
        CampaignSummary summary;
        if (seed_sets_.empty()) {
            return summary;
        }
        std::vector<std::thread> jobs;
        for (unsigned j = 0; j < std::max(1u, options_.jobs); ++j) {
            jobs.emplace_back([this, j] { job(j); });
        }
        std::thread status;
        if (options_.status != nullptr) {
            status = std::thread([this] { report_status(); });
        }
        for (auto& job : jobs) {
            job.join();
        }
        {
            std::lock_guard lock(mutex_);
            finished_ = true;
        }
        wake_.notify_all();
        if (status.joinable()) {
            status.join();
            print_status();
            std::fputc('\n', options_.status);
        }
        summary.conversations = conversations_;
        summary.seconds = seconds_since(start_);
        summary.target_lost = target_lost_;
        std::lock_guard lock(mutex_);
        summary.states = states_.size();
        summary.findings = findings_;
        summary.unconfirmed = unconfirmed_;
        return summary;
    }

  private:
    const TargetSettings* target_for(scenario::Protocol protocol) const {
        for (const auto& target : options_.targets) {
            if (target.protocol == protocol) {
                return &target;
            }
        }
        return nullptr;
    }

    bool running() const { return !target_lost_ && Clock::now() < end_; }

    void job(unsigned number) {
        Mutator mutator(options_.seed * 0x9E3779B97F4A7C15ull + number);
        const std::vector<Conversation>& seeds = seed_sets_[number % seed_sets_.size()];
        std::vector<Conversation> corpus = seeds;
        std::set<std::string> seen_states;
        std::size_t next = number;
        while (running()) {
            Conversation conversation;
            if (next < seeds.size() || options_.replay_only) {
                conversation = seeds[next % seeds.size()];
                next += std::max(1u, options_.jobs);
            } else {
                const auto pick = std::uniform_int_distribution<std::size_t>(
                    0, corpus.size() - 1)(mutator.random());
                conversation = mutator.mutate(corpus[pick], corpus);
            }
            const TargetSettings& target = *target_for(conversation.protocol);
            Execution execution;
            {
                const Shared playing(gate_);
                execution = execute(conversation, target);
            }
            if (execution.target_down) {
                if (!wait_alive(target)) {
                    break;
                }
                continue;
            }
            ++conversations_;
            bool fresh = false;
            for (const auto& state : execution.states) {
                fresh |= seen_states.insert(state).second;
            }
            if (fresh) {
                std::lock_guard lock(mutex_);
                states_.insert(execution.states.begin(), execution.states.end());
            }
            if (fresh && !options_.replay_only && corpus.size() < max_corpus) {
                corpus.push_back(conversation);
            }
            if (execution.verdict) {
                handle_finding(conversation, execution, target);
            }
        }
    }

    bool wait_alive(const TargetSettings& target) {
        const auto give_up = Clock::now() + options_.restart_wait;
        while (!target_lost_) {
            if (target_alive(target)) {
                return true;
            }
            if (Clock::now() > give_up) {
                target_lost_ = true;
                return false;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return false;
    }

    // OUT/<folder>/<suite id>.yaml: the reproducer of what `execution` was judged by.
    std::filesystem::path write_case(const char* folder, const Conversation& conversation,
                                     const Execution& execution, scenario::Duration timeout) {
        const FindingCase written =
            reproducer_case(conversation, execution, *execution.verdict, timeout);
        std::error_code ignored;
        std::filesystem::create_directories(options_.out / folder, ignored);
        const auto file = options_.out / folder / (written.suite_id + ".yaml");
        std::ofstream(file, std::ios::binary) << written.yaml;
        return file;
    }

    void handle_finding(const Conversation& conversation, const Execution& execution,
                        const TargetSettings& target) {
        const Verdict& verdict = *execution.verdict;
        const std::string key = std::string(to_string(verdict.oracle)) + "/" +
                                scenario::to_string(conversation.protocol) + "/" + verdict.state;
        {
            std::lock_guard lock(mutex_);
            if (!finding_keys_.insert(key).second) {
                return;
            }
        }
        const double found_after = seconds_since(start_);
        // Nothing else talks to the target until this finding is confirmed and minimised.
        const Alone alone(gate_);
        // A live conversation per attempt; a crash is waited out before the next one.
        const auto attempt = [&](const Conversation& candidate) -> std::optional<Execution> {
            if (verdict.oracle == Oracle::crash && !wait_alive(target)) {
                return std::nullopt;
            }
            Execution again = execute(candidate, target);
            if (again.target_down) {
                if (!wait_alive(target)) {
                    return std::nullopt;
                }
                again = execute(candidate, target);
            }
            return again;
        };
        // The same finding: the same oracle at the same state (what findings are keyed by).
        const auto same = [&](const std::optional<Execution>& e) {
            return e && e->verdict && e->verdict->oracle == verdict.oracle &&
                   e->verdict->state == verdict.state;
        };
        // Confirmed first: the conversation alone shows the same finding again. Else another
        // job's conversation caused what this one was judged by (or the target is flaky).
        std::optional<Execution> confirmation = attempt(conversation);
        if (!same(confirmation)) {
            std::lock_guard lock(mutex_);
            if (++unconfirmed_per_key_[key] < max_unconfirmed_per_key) {
                finding_keys_.erase(key);  // a later finding of the same kind gets its chance
            }
            // Kept unminimised, with what was judged, for whoever hunts a flaky cause.
            unconfirmed_.push_back(FindingRecord{
                verdict, scenario::to_string(conversation.protocol), conversation.origin,
                write_case("unconfirmed", conversation, execution, target.timeout),
                conversation.turns.size(), bytes_of(conversation), found_after});
            return;
        }
        Conversation minimal = minimise(
            conversation, [&](const Conversation& c) { return same(attempt(c)); },
            options_.minimise);
        std::optional<Execution> final_run = attempt(minimal);
        if (!same(final_run)) {
            minimal = conversation;
            final_run = std::move(confirmation);
        }
        if (verdict.oracle == Oracle::crash) {
            wait_alive(target);
        }
        const auto file = write_case("findings", minimal, *final_run, target.timeout);
        FindingRecord record{*final_run->verdict,  scenario::to_string(conversation.protocol),
                             conversation.origin,  file,
                             minimal.turns.size(), bytes_of(minimal),
                             found_after};
        std::lock_guard lock(mutex_);
        findings_.push_back(std::move(record));
    }

    void print_status() {
        const double elapsed = seconds_since(start_);
        std::size_t states = 0, findings = 0;
        {
            std::lock_guard lock(mutex_);
            states = states_.size();
            findings = findings_.size();
        }
        std::fprintf(options_.status,
                     "\r[%5.0fs] conversations %zu (%.0f/s), states %zu, findings %zu   ", elapsed,
                     conversations_.load(),
                     elapsed > 0 ? static_cast<double>(conversations_.load()) / elapsed : 0.0,
                     states, findings);
        std::fflush(options_.status);
    }

    void report_status() {
        std::unique_lock lock(mutex_);
        while (!finished_) {
            wake_.wait_for(lock, std::chrono::seconds(1));
            if (finished_) {
                break;
            }
            lock.unlock();
            print_status();
            lock.lock();
        }
    }

    const CampaignOptions& options_;
    Clock::time_point start_, end_;
    std::vector<std::vector<Conversation>> seed_sets_;  // those with a target
    std::atomic<std::size_t> conversations_{0};
    std::atomic<bool> target_lost_{false};
    std::mutex mutex_;
    std::condition_variable wake_;
    bool finished_ = false;
    std::set<std::string> states_;
    std::set<std::string> finding_keys_;
    std::map<std::string, std::size_t> unconfirmed_per_key_;
    std::vector<FindingRecord> findings_;
    std::vector<FindingRecord> unconfirmed_;
    Gate gate_;
};

}  // namespace

CampaignSummary run_campaign(const CampaignOptions& options) {
    return Campaign(options).run();
}

std::string summary_json(const CampaignOptions& options, const CampaignSummary& summary) {
    nlohmann::ordered_json json;
    json["target"] = options.target_name;
    json["mode"] = options.replay_only ? "replay" : "fuzz";
    json["seed"] = options.seed;
    json["jobs"] = options.jobs;
    json["duration_s"] = summary.seconds;
    json["seeds"] = options.seed_sets.empty() ? 0 : options.seed_sets.front().size();
    json["conversations"] = summary.conversations;
    json["conversations_per_second"] =
        summary.seconds > 0 ? static_cast<double>(summary.conversations) / summary.seconds : 0.0;
    json["states"] = summary.states;
    json["target_lost"] = summary.target_lost;
    json["findings"] = nlohmann::ordered_json::array();
    for (const auto& finding : summary.findings) {
        json["findings"].push_back({{"oracle", to_string(finding.verdict.oracle)},
                                    {"protocol", finding.protocol},
                                    {"state", finding.verdict.state},
                                    {"detail", finding.verdict.detail},
                                    {"case", finding.case_file.string()},
                                    {"origin", finding.origin},
                                    {"turns", finding.turns},
                                    {"bytes", finding.bytes},
                                    {"found_after_s", finding.found_after_s}});
    }
    json["unconfirmed"] = nlohmann::ordered_json::array();
    for (const auto& finding : summary.unconfirmed) {
        json["unconfirmed"].push_back({{"oracle", to_string(finding.verdict.oracle)},
                                       {"protocol", finding.protocol},
                                       {"state", finding.verdict.state},
                                       {"detail", finding.verdict.detail},
                                       {"case", finding.case_file.string()},
                                       {"origin", finding.origin},
                                       {"found_after_s", finding.found_after_s}});
    }
    return json.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace mh::harness::fuzz
