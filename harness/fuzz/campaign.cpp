#include "harness/fuzz/campaign.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <thread>

#include "harness/fuzz/case_writer.hpp"
#include "harness/fuzz/gate.hpp"
#include "harness/fuzz/mutator.hpp"

namespace mh::harness::fuzz {

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t max_corpus = 4096;
// Conversations a job generates ahead of their judgement (at least as many as it keeps under
// way): a slow one at the head (a timeout, a probe) does not hold back the others, and being
// fixed, it keeps the conversations the same whatever --in-flight is.
constexpr std::size_t window = 64;
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

    // A conversation of a job's window: generated in order, played concurrently, judged
    // (committed) in order.
    struct Slot {
        Conversation conversation;
        bool started = false;
        std::optional<Execution> execution;
    };

    // The seeds job `number` plays: its own sets (set k belongs to job k % jobs), each
    // conversation tagged with its set, i.e. the account it logs in as.
    std::vector<Conversation> seeds_of_job(unsigned number) const {
        const std::size_t jobs = std::max(1u, options_.jobs);
        std::vector<Conversation> seeds;
        for (std::size_t k = number % seed_sets_.size(); k < seed_sets_.size(); k += jobs) {
            for (Conversation seed : seed_sets_[k]) {
                seed.account = k;
                seeds.push_back(std::move(seed));
            }
            if (seed_sets_.size() <= jobs) {
                break;
            }
        }
        return seeds;
    }

    // Each job keeps up to `in_flight` conversations under way on one thread (an io_context):
    // while one waits for a reply, the others go on. What --seed fixes stays independent of
    // timing: conversations are judged (corpus, states, findings) in the order they were
    // generated, whichever finishes first, and conversation n is generated right after
    // conversation n - window was judged.
    void job(unsigned number) {
        Mutator mutator(options_.seed * 0x9E3779B97F4A7C15ull + number);
        const std::vector<Conversation> seeds = seeds_of_job(number);
        std::vector<Conversation> corpus = seeds;
        std::set<std::string> seen_states;
        std::size_t next = number;
        const auto generate = [&] {
            if (next < seeds.size() || options_.replay_only) {
                Conversation seed = seeds[next % seeds.size()];
                next += std::max(1u, options_.jobs);
                return seed;
            }
            const auto pick =
                std::uniform_int_distribution<std::size_t>(0, corpus.size() - 1)(mutator.random());
            return mutator.mutate(corpus[pick], corpus);
        };

        boost::asio::io_context io(1);
        // An io_context whose work runs out stops, and run_one() then returns at once until
        // restart(): the guard keeps it running while the job waits between conversations.
        const auto keep_running = boost::asio::make_work_guard(io);
        std::deque<Slot> slots;  // the window; references stay valid: only the ends change
        std::size_t in_flight = 0;
        std::multiset<std::size_t> pop3_accounts;  // of the POP3 conversations under way
        bool inside = false;                       // in the gate, while conversations are under way
        const auto leave_gate = [&] {
            if (inside) {
                gate_.leave();
                inside = false;
            }
        };
        const auto start = [&](Slot& slot) {
            const TargetSettings& target = *target_for(slot.conversation.protocol);
            const bool pop3 = target.protocol == scenario::Protocol::pop3;
            if (pop3) {
                pop3_accounts.insert(slot.conversation.account);
            }
            slot.started = true;
            ++in_flight;
            Slot* played = &slot;
            boost::asio::co_spawn(
                io, execute_async(slot.conversation, target),
                [&, played, pop3](std::exception_ptr failure, Execution result) {
                    --in_flight;
                    if (pop3) {
                        pop3_accounts.erase(pop3_accounts.find(played->conversation.account));
                    }
                    if (failure) {
                        std::rethrow_exception(failure);
                    }
                    played->execution = std::move(result);
                });
        };
        // Before anything that blocks this thread: nothing may be waiting for a reply then,
        // or it would be judged a hang.
        const auto drain = [&] {
            while (in_flight > 0) {
                io.run_one();
            }
            leave_gate();
        };
        // POP3: two sessions with one account would meet its maildrop lock (RFC 1939 4).
        const auto may_start = [&](const Slot& slot) {
            return slot.conversation.protocol != scenario::Protocol::pop3 ||
                   !pop3_accounts.contains(slot.conversation.account);
        };

        const std::size_t under_way = std::max<std::size_t>(1, options_.in_flight);
        std::size_t generated = 0;
        const auto generating = [&] {
            return running() && (options_.conversations == 0 ||
                                 generated * std::max(1u, options_.jobs) < options_.conversations);
        };
        while (slots.size() < std::max(window, under_way) && generating()) {
            slots.push_back(Slot{generate(), false, std::nullopt});
            ++generated;
        }
        while (!slots.empty()) {
            Slot& front = slots.front();
            if (front.execution) {
                Slot slot = std::move(front);
                slots.pop_front();
                judge(slot, corpus, seen_states, drain);
                if (generating()) {
                    slots.push_back(Slot{generate(), false, std::nullopt});
                    ++generated;
                }
                continue;
            }
            if (!front.started && !running()) {
                slots.pop_front();  // time is up: generated, never played
                continue;
            }
            if (!inside) {
                gate_.enter();  // waits while another job confirms a finding alone
                inside = true;
            }
            if (!gate_.alone_wanted() && running()) {
                for (Slot& slot : slots) {
                    if (in_flight == under_way) {
                        break;
                    }
                    if (!slot.started && may_start(slot)) {
                        start(slot);
                    }
                }
            }
            if (in_flight == 0) {
                leave_gate();  // let the job that waits for the gate go first
                continue;
            }
            io.run_one();
        }
        drain();
    }

    // `drain` is called before anything that blocks: waiting for the target, a finding.
    template <typename Drain>
    void judge(const Slot& slot, std::vector<Conversation>& corpus,
               std::set<std::string>& seen_states, const Drain& drain) {
        const Execution& execution = *slot.execution;
        const TargetSettings& target = *target_for(slot.conversation.protocol);
        if (execution.target_down) {
            drain();
            wait_alive(target);
            return;
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
            corpus.push_back(slot.conversation);
        }
        if (execution.verdict && claim(slot.conversation, *execution.verdict)) {
            drain();
            handle_finding(slot.conversation, execution, target);
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

    // Findings are keyed by oracle, protocol and state.
    static std::string key_of(const Conversation& conversation, const Verdict& verdict) {
        return std::string(to_string(verdict.oracle)) + "/" +
               scenario::to_string(conversation.protocol) + "/" + verdict.state;
    }

    // True when this verdict's key has no finding yet: the caller confirms it.
    bool claim(const Conversation& conversation, const Verdict& verdict) {
        std::lock_guard lock(mutex_);
        return finding_keys_.insert(key_of(conversation, verdict)).second;
    }

    // Confirms a claimed verdict alone, minimises it and writes its reproducer (or lists it as
    // unconfirmed).
    void handle_finding(const Conversation& conversation, const Execution& execution,
                        const TargetSettings& target) {
        const Verdict& verdict = *execution.verdict;
        const std::string key = key_of(conversation, verdict);
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
    json["in_flight"] = options.in_flight;
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
