#pragma once
// A network fuzzing campaign: `jobs` threads, each with its own random engine (seeded from
// `seed` and its number) and its own corpus (its seed set, then every mutant that reached a new
// "VERB>code" state), play conversations until the time is up. Findings are deduplicated by
// oracle, protocol and final state, confirmed by replaying the conversation while the other
// jobs are paused (else listed as unconfirmed), minimised, and written as replayable suite
// files under OUT/findings/; OUT/summary.json describes the run.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "harness/fuzz/conversation.hpp"
#include "harness/fuzz/executor.hpp"
#include "harness/fuzz/minimiser.hpp"

namespace mh::harness::fuzz {

struct CampaignOptions {
    std::vector<TargetSettings> targets;  // one per protocol fuzzed
    // The seeds, one set per account that they log in as (the same conversations with the
    // first account, then the second, ...): job j plays the sets k with k % jobs == j (set
    // j % size when there are fewer sets than jobs), so that POP3 conversations under way at
    // once do not meet each other's maildrop lock (RFC 1939 4: -ERR [IN-USE]).
    std::vector<std::vector<Conversation>> seed_sets;
    std::chrono::milliseconds duration{60000};
    // Stop after this many conversations in all (0: the duration decides), split evenly
    // between the jobs; with --seed and one job, the same conversations every run.
    std::size_t conversations = 0;
    unsigned jobs = 1;
    // Conversations each job keeps under way at once (on one thread). POP3 conversations that
    // log in as the same account never overlap: give at least jobs x in_flight seed sets.
    unsigned in_flight = 1;
    std::uint64_t seed = 1;
    std::filesystem::path out;
    bool replay_only = false;  // play the seeds unmutated (the baseline for conversations/s)
    MinimiseBudget minimise;
    std::chrono::milliseconds restart_wait{10000};  // how long a crashed target may take to return
    std::FILE* status = nullptr;                    // live status line, or none
    std::string target_name;                        // for the summary
};

struct FindingRecord {
    Verdict verdict;
    std::string protocol;
    std::string origin;  // seed and mutations
    std::filesystem::path case_file;
    std::size_t turns = 0;  // after minimisation
    std::size_t bytes = 0;
    double found_after_s = 0;
};

struct CampaignSummary {
    std::size_t conversations = 0;
    std::size_t states = 0;
    double seconds = 0;
    bool target_lost = false;  // the target went away and did not come back
    std::vector<FindingRecord> findings;
    // Verdicts that the conversation did not show again when replayed alone (no case file).
    std::vector<FindingRecord> unconfirmed;
};

CampaignSummary run_campaign(const CampaignOptions& options);

std::string summary_json(const CampaignOptions& options, const CampaignSummary& summary);

}  // namespace mh::harness::fuzz
