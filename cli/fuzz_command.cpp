// mailharness fuzz: the network fuzzer (docs/fuzzing.md "The network fuzzer"). Mutates the
// suites' conversations, sends them to an SMTP and/or POP3 server, judges each with the
// oracles of harness/fuzz/executor.hpp and writes every finding as a replayable suite file.
// No target given: the embedded reference (with reply delays off). Exit codes: 0 no finding,
// 1 findings, 2 bad usage or suites, 3 target unreachable.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <thread>

#include "cli/commands.hpp"
#include "cli/suite_options.hpp"
#include "cli/target_option.hpp"
#include "harness/fuzz/campaign.hpp"
#include "harness/fuzz/seeds.hpp"
#include "harness/scenario/detail/yaml_reader.hpp"
#include "harness/scenario/suite_loader.hpp"

namespace mh::cli {

namespace {

namespace sc = harness::scenario;
namespace hf = harness::fuzz;

struct FuzzFlags {
    TargetFlags target;
    std::vector<std::string> seeds;
    std::string protocol;  // only this one
    std::string duration = "60s";
    std::size_t conversations = 0;
    std::string timeout = "2s";
    unsigned jobs = 2;
    unsigned in_flight = 4;
    std::string out = "fuzz-findings";
    std::uint64_t seed = 1;
    bool replay = false;
    std::size_t minimise_attempts = 150;
    std::string tls_max;  // "1.2", "1.3"; empty: 1.2 for the embedded reference, else 1.3
};

sc::Duration duration_flag(const std::string& flag, const std::string& text) {
    const auto value = sc::detail::parse_duration(text);
    if (!value || value->count() <= 0) {
        throw CLI::ValidationError(
            flag, "must be a duration such as 500ms, 60s or 10m, not \"" + text + "\"");
    }
    return *value;
}

int fuzz(const FuzzFlags& flags) {
    hf::CampaignOptions options;
    options.duration = duration_flag("--duration", flags.duration);
    const sc::Duration timeout = duration_flag("--timeout", flags.timeout);
    if (flags.jobs == 0) {
        throw CLI::ValidationError("--jobs", "must be at least 1");
    }
    if (flags.in_flight == 0) {
        throw CLI::ValidationError("--in-flight", "must be at least 1");
    }
    if (!flags.tls_max.empty() && flags.tls_max != "1.2" && flags.tls_max != "1.3") {
        throw CLI::ValidationError("--tls-max",
                                   "must be 1.2 or 1.3, not \"" + flags.tls_max + "\"");
    }
    if (!flags.protocol.empty() && flags.protocol != "smtp" && flags.protocol != "pop3") {
        throw CLI::ValidationError("--protocol",
                                   "must be smtp or pop3, not \"" + flags.protocol + "\"");
    }
    std::vector<std::filesystem::path> seed_paths(flags.seeds.begin(), flags.seeds.end());
    if (seed_paths.empty()) {
        seed_paths.push_back(bundled_suites());
    }
    auto suites = sc::load_suites(seed_paths);
    if (!suites.errors.empty()) {
        print_load_errors(stderr, suites.errors);
        return 2;
    }

    // The fuzzer never fetches what it sends: the embedded reference discards it. One server
    // worker: the jobs use the cores, and a second worker only adds hand-offs between the two.
    // One account per POP3 conversation under way (load1..N besides alice and bob).
    const bool pop3_fuzzed = flags.protocol.empty() || flags.protocol == "pop3";
    const unsigned under_way = flags.jobs * flags.in_flight;
    ResolvedTarget resolved = resolve_target(flags.target, "fuzz",
                                             {.store = reference::Durability::discard,
                                              .threads = 1,
                                              .load_accounts = pop3_fuzzed ? under_way : 0});
    if (!resolved) {
        return resolved.exit_code;
    }
    sc::TargetProfile& profile = resolved.profile;
    const bool tls12 =
        flags.tls_max.empty() ? resolved.embedded != nullptr : flags.tls_max == "1.2";
    if (resolved.embedded && pop3_fuzzed) {
        for (unsigned i = 1; i <= under_way; ++i) {
            const std::string user = "load" + std::to_string(i);
            profile.accounts.push_back({user, user + "-pw", user + "@example.test"});
        }
    }

    // Seed sets, up to one per account: POP3 conversations under way at once log in as
    // different accounts, so that they do not meet each other's maildrop lock (RFC 1939 4:
    // -ERR [IN-USE]); with fewer accounts they wait for each other. SMTP seeds go into the
    // first set of each job only (job j plays the sets k with k % jobs == j).
    const std::size_t sets =
        std::clamp<std::size_t>(profile.accounts.size(), 1, pop3_fuzzed ? under_way : flags.jobs);
    options.seed_sets.resize(sets);
    int status = 0;
    for (const auto& [protocol, endpoint] : {std::pair{sc::Protocol::smtp, profile.smtp},
                                             std::pair{sc::Protocol::pop3, profile.pop3}}) {
        if (!endpoint || (!flags.protocol.empty() && flags.protocol != sc::to_string(protocol))) {
            continue;
        }
        hf::TargetSettings target;
        target.protocol = protocol;
        target.endpoint = *endpoint;
        target.tls.verify = profile.tls_verify;
        target.tls.ca = profile.tls_ca;
        // The handshake is not what this fuzzer explores: each one resumes the last session,
        // by default with the embedded reference in TLS 1.2, an abbreviated handshake without a
        // key exchange (another target may not speak TLS 1.2: RFC 8996 allows TLS 1.3 only).
        target.tls.resume_sessions = true;
        target.tls.at_most_tls12 = tls12;
        target.timeout = timeout;
        target.profile = profile;
        // A target that is restarting (a supervisor after a crash the last campaign caused)
        // gets a second: probed every 50 ms for up to 1 s before it counts as unreachable.
        std::optional<hf::TargetTraits> traits = hf::probe_traits(target);
        for (const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(1);
             !traits && std::chrono::steady_clock::now() < give_up;
             traits = hf::probe_traits(target)) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        if (!traits) {
            std::fprintf(stderr, "mailharness: %s at %s does not answer (tried for 1 s)\n",
                         sc::to_string(protocol), endpoint->describe().c_str());
            status = 3;
            continue;
        }
        target.traits = *traits;
        const bool pop3 = protocol == sc::Protocol::pop3;
        for (std::size_t k = 0; k < (pop3 ? sets : std::min<std::size_t>(sets, flags.jobs)); ++k) {
            auto seeds = hf::seeds_from_suites(suites.suites,
                                               pop3 ? hf::with_first_account(profile, k) : profile,
                                               protocol, *traits);
            options.seed_sets[k].insert(options.seed_sets[k].end(), seeds.begin(), seeds.end());
        }
        options.targets.push_back(std::move(target));
    }
    if (options.targets.empty() || options.seed_sets.front().empty()) {
        if (status == 0) {
            std::fprintf(stderr, "mailharness: no %s seeds in the given suites for the target\n",
                         flags.protocol.empty() ? "SMTP or POP3" : flags.protocol.c_str());
        }
        return status == 0 ? 2 : status;
    }

    options.jobs = flags.jobs;
    options.in_flight = flags.in_flight;
    options.conversations = flags.conversations;
    options.seed = flags.seed;
    options.out = flags.out;
    options.replay_only = flags.replay;
    options.minimise.attempts = flags.minimise_attempts;
    options.status = stderr;
    options.target_name = profile.name;
    std::filesystem::create_directories(options.out);
    std::printf(
        "mailharness fuzz: %zu seed conversations against %s, %s, %u jobs x %u in flight, seed "
        "%llu, TLS at most %s\n",
        options.seed_sets.front().size(), profile.name.c_str(), flags.duration.c_str(),
        options.jobs, options.in_flight, static_cast<unsigned long long>(options.seed),
        tls12 ? "1.2" : "1.3");
    std::fflush(stdout);
    const hf::CampaignSummary summary = hf::run_campaign(options);
    resolved.embedded.reset();  // stops the server and removes its store
    std::ofstream(options.out / "summary.json") << hf::summary_json(options, summary);
    std::printf(
        "%zu conversations in %.1f s (%.0f/s), %zu states, %zu findings\n", summary.conversations,
        summary.seconds,
        summary.seconds > 0 ? static_cast<double>(summary.conversations) / summary.seconds : 0.0,
        summary.states, summary.findings.size());
    for (const auto& finding : summary.findings) {
        std::printf("  %s at %s: %s\n    -> %s\n", hf::to_string(finding.verdict.oracle),
                    finding.verdict.state.c_str(), finding.verdict.detail.c_str(),
                    finding.case_file.c_str());
    }
    if (!summary.unconfirmed.empty()) {
        std::printf(
            "%zu unconfirmed: judged during the campaign, not shown again when replayed "
            "with the other jobs paused (see summary.json)\n",
            summary.unconfirmed.size());
    }
    if (summary.target_lost) {
        std::printf("the target went away and did not come back within 10 s: campaign stopped\n");
    }
    return summary.findings.empty() ? 0 : 1;
}

}  // namespace

void add_fuzz_command(CLI::App& app, CommandContext& ctx) {
    auto flags = std::make_shared<FuzzFlags>();
    CLI::App* command =
        app.add_subcommand("fuzz", "Fuzz an SMTP or POP3 server with mutated suite conversations");
    flags->target.add_to(*command, false);
    command->add_option("--seeds", flags->seeds,
                        "Suite files or folders whose conversations seed the fuzzer "
                        "(default: the bundled suites)");
    command->add_option("--protocol", flags->protocol, "Fuzz only this protocol: smtp or pop3");
    command->add_option("--duration", flags->duration, "How long to fuzz (default 60s)");
    command->add_option("--conversations", flags->conversations,
                        "Stop after this many conversations (default: the duration decides)");
    command->add_option("--timeout", flags->timeout,
                        "Silence after a command longer than this is a hang (default 2s)");
    command->add_option("-j,--jobs", flags->jobs, "Threads fuzzing in parallel (default 2)");
    command->add_option("--in-flight", flags->in_flight,
                        "Conversations each job keeps under way at once (default 4)");
    command->add_option("--out", flags->out,
                        "Folder for findings/*.yaml and summary.json (default fuzz-findings)");
    command->add_option("--seed", flags->seed, "Random seed: the same seed, the same mutants");
    command->add_flag("--replay", flags->replay,
                      "Send the seed conversations unmutated (a baseline for the rate)");
    command->add_option("--tls-max", flags->tls_max,
                        "Highest TLS version after STARTTLS/STLS: 1.2 or 1.3 (default 1.2 for the "
                        "embedded reference, whose resumed 1.2 sessions need no key exchange; 1.3 "
                        "for any other target)");
    command->add_option("--minimise-attempts", flags->minimise_attempts,
                        "Conversations spent minimising each finding (default 150)");
    command->callback([flags, &ctx] { ctx.exit_code = fuzz(*flags); });
}

}  // namespace mh::cli
