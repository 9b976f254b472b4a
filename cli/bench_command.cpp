// `mailharness bench`: load generation (docs/performance.md).
//   bench smtp [--smtp HOST:PORT] --concurrency N (--messages M | --duration S) --size BYTES ...
//   bench pop3 [--pop3 HOST:PORT] --workload login|retr-all|top|mixed ...
//   bench scenario [SUITES...] [--case GLOB] [--target FILE] --concurrency N ...  (cases as units)
//   bench merge A.json B.json ... -o OUT.json   (several processes of one run)
// Without --smtp / --pop3 the embedded reference server is the target; for POP3 it gets an
// account per session (load1..N, filled with --seed-messages messages), and the sessions (and
// the --verify check) use STLS, since it refuses logins in the clear. Exit codes: 0 done
// without errors, 1 errors or an integrity failure, 2 bad usage or input, 3 nothing reachable.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/embedded_target.hpp"
#include "cli/suite_options.hpp"
#include "cli/target_option.hpp"
#include "harness/bench/engine.hpp"
#include "harness/bench/integrity.hpp"
#include "harness/bench/message_factory.hpp"
#include "harness/bench/pop3_load.hpp"
#include "harness/bench/scenario_load.hpp"
#include "harness/bench/smtp_load.hpp"
#include "harness/run/runner.hpp"
#include "harness/scenario/suite_loader.hpp"
#include "reference/embedded.hpp"

namespace mh::cli {
namespace {

namespace bench = harness::bench;
namespace sc = harness::scenario;
using tcp = boost::asio::ip::tcp;

class UsageError : public std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct CommonFlags {
    unsigned concurrency = 1;
    unsigned threads = 0;
    std::optional<std::uint64_t> units;
    std::optional<double> duration_s;
    std::optional<double> rate;
    double warmup_s = 0;
    double idle_timeout_s = 30;
    std::string tls;
    bool pipelining = false;
    std::string json_path;
    bool quiet = false;
};

struct SmtpFlags : CommonFlags {
    std::string target;
    std::vector<std::string> auth;
    std::size_t size = 1024;
    std::string size_dist;
    unsigned recipients = 1;
    std::vector<std::string> to;
    std::string from = "bench@example.test";
    bool reuse = true;
    bool verify = false;
    std::string verify_maildir;
    std::string verify_pop3;
};

struct ScenarioFlags : CommonFlags {
    SuiteOptions suites;
    std::string target_file;
};

struct Pop3Flags : CommonFlags {
    std::string target;
    std::vector<std::string> auth;
    std::string workload = "login";
    std::optional<std::uint64_t> seed_messages;  // the embedded reference only; default 100
};

tcp::endpoint resolve(const std::string& flag, const std::string& text) {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == text.size())
        throw UsageError(flag + " " + text + ": expected HOST:PORT, as in 127.0.0.1:2525");
    boost::asio::io_context io;
    tcp::resolver resolver(io);
    boost::system::error_code ec;
    std::string host = text.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    const auto results = resolver.resolve(host, text.substr(colon + 1), ec);
    if (ec || results.empty())
        throw UsageError(flag + " " + text + ": cannot resolve: " + ec.message());
    return *results.begin();
}

bench::Credentials credentials(const std::string& text) {
    const auto colon = text.find(':');
    if (colon == std::string::npos || colon == 0)
        throw UsageError("--auth " + text + ": expected USER:PASSWORD, as in alice:alice-pw");
    return {text.substr(0, colon), text.substr(colon + 1)};
}

sc::TlsMode tls_mode(const std::string& text) {
    if (text.empty())
        return sc::TlsMode::none;
    if (auto mode = sc::parse_tls_mode(text))
        return *mode;
    throw UsageError("--tls " + text + ": expected starttls, implicit or none");
}

// `target`: where the SMTP or POP3 sessions go (its host decides the default thread count).
bench::EngineOptions engine_options(const CommonFlags& flags,
                                    std::optional<tcp::endpoint> target = std::nullopt) {
    using std::chrono::duration;
    using std::chrono::nanoseconds;
    bench::EngineOptions options;
    options.concurrency = flags.concurrency;
    options.threads = flags.threads;
    if (!options.threads && target)
        options.threads = bench::default_threads(target->address().is_loopback());
    options.pacing.units = flags.units;
    if (flags.duration_s)
        options.pacing.duration =
            std::chrono::duration_cast<nanoseconds>(duration<double>(*flags.duration_s));
    if (!flags.units && !flags.duration_s)
        options.pacing.units = 1000;
    options.pacing.warmup =
        std::chrono::duration_cast<nanoseconds>(duration<double>(flags.warmup_s));
    options.pacing.rate = flags.rate;
    options.idle_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(
        duration<double>(flags.idle_timeout_s));
    if (!flags.quiet && isatty(fileno(stderr)))
        options.progress = stderr;
    return options;
}

void print_summary(const bench::Report& report) {
    std::printf("%s %s: %llu %ss in %.2f s: %.0f/s, %.2f MB/s, %llu errors\n",
                report.protocol.c_str(), report.target.c_str(),
                static_cast<unsigned long long>(report.stats.units), report.unit.c_str(),
                report.measured_seconds, report.rate(), report.megabytes_per_s(),
                static_cast<unsigned long long>(report.stats.error_count()));
    auto line = [](const std::string& name, const bench::Histogram& h) {
        if (h.count() == 0)
            return;
        std::printf("  %-10s p50 %-9s p90 %-9s p99 %-9s p99.9 %-9s max %s\n", name.c_str(),
                    bench::format_latency(h.percentile(50)).c_str(),
                    bench::format_latency(h.percentile(90)).c_str(),
                    bench::format_latency(h.percentile(99)).c_str(),
                    bench::format_latency(h.percentile(99.9)).c_str(),
                    bench::format_latency(h.max()).c_str());
    };
    line(report.unit, report.stats.latency);
    for (const auto& [name, h] : report.stats.commands)
        line(name, h);
    line("connect", report.stats.connect);
    line("TLS", report.stats.tls_handshake);
    for (const auto& [name, count] : report.stats.errors_by_command)
        std::printf("  error %s: %llu\n", name.c_str(), static_cast<unsigned long long>(count));
}

void write_json(const std::string& path, const nlohmann::json& json) {
    if (path.empty())
        return;
    std::ofstream out(path);
    if (!out)
        throw std::runtime_error("cannot write " + path);
    out << json.dump(1) << '\n';
}

// The exit code of a finished run.
int outcome(const bench::Report& report) {
    if (report.stats.units == 0 && report.stats.errors.count("transport"))
        return 3;
    return report.stats.error_count() == 0 ? 0 : 1;
}

using PortOf = std::uint16_t reference::EmbeddedEndpoints::*;

// HOST:PORT of --smtp / --pop3, or, when that is not given, of the embedded reference's `plain`
// port (`implicit` with --tls implicit), started into `embedded` with `options` (its store, in a
// temporary folder, is durable like that of `serve` unless the options say otherwise).
std::string target_or_embedded(const std::string& flag_value,
                               std::unique_ptr<EmbeddedTarget>& embedded, sc::TlsMode tls,
                               PortOf plain, PortOf implicit,
                               const reference::EmbeddedOptions& options) {
    if (!flag_value.empty())
        return flag_value;
    embedded = std::make_unique<EmbeddedTarget>("bench", options);
    std::fprintf(stderr, "bench: target is the embedded reference (store %s)\n",
                 embedded->store().c_str());
    const PortOf port = tls == sc::TlsMode::implicit ? implicit : plain;
    return fmt::format("{}:{}", embedded->endpoints().host, embedded->endpoints().*port);
}

int run_smtp(SmtpFlags flags) {
    std::unique_ptr<EmbeddedTarget> embedded;
    bench::SmtpLoadOptions options;
    options.tls = tls_mode(flags.tls);
    flags.target =
        target_or_embedded(flags.target, embedded, options.tls, &reference::EmbeddedEndpoints::smtp,
                           &reference::EmbeddedEndpoints::smtps, {.clients = flags.concurrency});
    options.endpoint = resolve("--smtp", flags.target);
    if (!flags.auth.empty())
        options.auth = credentials(flags.auth.front());
    if (!flags.to.empty())
        options.to = flags.to;
    options.from = flags.from;
    options.recipients = flags.recipients;
    options.pipelining = flags.pipelining;
    options.reuse = flags.reuse;

    const bool verify = flags.verify || !flags.verify_maildir.empty() || !flags.verify_pop3.empty();
    std::string run_id;
    if (verify)
        run_id = fmt::format("{:016x}",
                             std::random_device{}() * 0x100000000ULL + std::random_device{}());
    const auto sizes = flags.size_dist.empty() ? std::vector<bench::SizeWeight>{{flags.size, 1}}
                                               : bench::load_size_distribution(flags.size_dist);
    const bench::MessageFactory messages(sizes, options.from, options.to.front(), run_id);
    options.messages = &messages;
    bench::AcceptedLedger ledger;
    if (verify)
        options.ledger = &ledger;

    bench::Report report;
    report.protocol = "smtp";
    report.target = flags.target;
    report.unit = "message";
    bench::run_load(engine_options(flags, options.endpoint), bench::smtp_session(options), report);

    nlohmann::json extra{{"options",
                          {{"concurrency", flags.concurrency},
                           {"size", flags.size_dist.empty() ? nlohmann::json(flags.size)
                                                            : nlohmann::json(flags.size_dist)},
                           {"recipients", flags.recipients},
                           {"pipelining", flags.pipelining},
                           {"reuse", flags.reuse},
                           {"tls", sc::to_string(options.tls)},
                           {"rate", flags.rate ? nlohmann::json(*flags.rate) : nlohmann::json()},
                           {"open_loop", flags.rate.has_value()}}}};
    print_summary(report);
    int code = outcome(report);
    if (verify) {
        bench::IntegrityCheck check(run_id, ledger.sequences());
        bench::IntegrityReport integrity;
        if (!flags.verify_maildir.empty()) {
            integrity = bench::verify_maildir(flags.verify_maildir, std::move(check));
        } else {
            std::string pop3 = flags.verify_pop3;
            bench::Credentials account{"alice", "alice-pw"};
            if (embedded && pop3.empty())
                pop3 = fmt::format("{}:{}", embedded->endpoints().host, embedded->endpoints().pop3);
            if (pop3.empty())
                throw UsageError("--verify needs --verify-maildir DIR or --verify-pop3 HOST:PORT");
            if (flags.auth.size() > 1)
                account = credentials(flags.auth[1]);
            else if (!flags.auth.empty())
                account = credentials(flags.auth.front());
            integrity =
                bench::verify_pop3(resolve("--verify-pop3", pop3), account, std::move(check));
        }
        std::printf("integrity: %s\n", integrity.summary().c_str());
        extra["integrity"] = integrity.to_json();
        extra["integrity"]["run_id"] = run_id;
        if (!integrity.ok())
            code = 1;
    }
    write_json(flags.json_path, bench::to_json(report, extra));
    return code;
}

// Delivers `count` 1 KB messages through the embedded reference's SMTP port to each of
// `accounts` (as USER@example.test), so that retr-all and top have something to fetch.
void seed_maildrops(const EmbeddedTarget& embedded, const std::vector<bench::Credentials>& accounts,
                    std::uint64_t count) {
    constexpr std::size_t kRecipientsPerMessage = 100;  // RFC 5321 4.5.3.1.8's minimum
    bench::SmtpLoadOptions options;
    options.endpoint = resolve(
        "--smtp", fmt::format("{}:{}", embedded.endpoints().host, embedded.endpoints().smtp));
    options.pipelining = true;
    for (std::size_t first = 0; first < accounts.size(); first += kRecipientsPerMessage) {
        options.to.clear();
        for (std::size_t i = first; i < std::min(accounts.size(), first + kRecipientsPerMessage);
             ++i)
            options.to.push_back(accounts[i].user + "@example.test");
        options.recipients = static_cast<unsigned>(options.to.size());
        const bench::MessageFactory messages({{1024, 1}}, options.from, options.to.front(), "");
        options.messages = &messages;
        bench::EngineOptions engine;
        engine.concurrency = 2;
        engine.threads = 1;
        engine.pacing.units = count;
        bench::Report report;
        bench::run_load(engine, bench::smtp_session(options), report);
        if (report.stats.error_count() != 0 || report.stats.units != count)
            throw std::runtime_error(fmt::format(
                "filling the embedded reference's maildrops: {} of {} messages to {} failed "
                "(an --auth user that is not an account of example.test?)",
                count - report.stats.units, count, fmt::join(options.to, ", ")));
    }
}

int run_pop3(Pop3Flags flags) {
    if (!flags.target.empty() && flags.seed_messages)
        throw UsageError(
            "--seed-messages fills the embedded reference's maildrops; with --pop3 "
            "deliver the messages to the server yourself");
    std::unique_ptr<EmbeddedTarget> embedded;
    bench::Pop3LoadOptions options;
    // Without --auth, one account per session: a POP3 session locks its maildrop (RFC 1939 4).
    // Unsynced store: only the filling delivers, and no POP3 command of the run writes.
    options.tls = tls_mode(flags.tls);
    flags.target =
        target_or_embedded(flags.target, embedded, options.tls, &reference::EmbeddedEndpoints::pop3,
                           &reference::EmbeddedEndpoints::pop3s,
                           {.store = reference::Durability::unsynced,
                            .load_accounts = flags.auth.empty() ? flags.concurrency : 0,
                            .clients = flags.concurrency});
    options.endpoint = resolve("--pop3", flags.target);
    // The reference refuses USER/PASS in the clear (RFC 2595 2.3: a server can be set to).
    if (embedded && flags.tls.empty())
        options.tls = sc::TlsMode::starttls;
    if (embedded && options.tls == sc::TlsMode::none)
        std::fprintf(stderr,
                     "bench: the embedded reference refuses USER in the clear: with "
                     "--tls none every session fails there (leave --tls out for STLS)\n");
    for (const auto& a : flags.auth)
        options.accounts.push_back(credentials(a));
    if (options.accounts.empty() && embedded)
        for (unsigned i = 1; i <= flags.concurrency; ++i)
            options.accounts.push_back({fmt::format("load{}", i), fmt::format("load{}-pw", i)});
    if (options.accounts.empty())
        options.accounts.push_back({"alice", "alice-pw"});
    const std::map<std::string, bench::Pop3Workload> workloads{
        {"login", bench::Pop3Workload::login},
        {"retr-all", bench::Pop3Workload::retr_all},
        {"top", bench::Pop3Workload::top},
        {"mixed", bench::Pop3Workload::mixed}};
    const auto it = workloads.find(flags.workload);
    if (it == workloads.end())
        throw UsageError("--workload " + flags.workload +
                         ": expected login, retr-all, top or mixed");
    options.workload = it->second;
    options.pipelining = flags.pipelining;
    const std::uint64_t seed = flags.seed_messages.value_or(100);
    if (embedded && options.workload != bench::Pop3Workload::login && seed) {
        seed_maildrops(*embedded, options.accounts, seed);
        std::fprintf(stderr, "bench: %zu maildrop(s) filled with %llu messages of 1024 bytes\n",
                     options.accounts.size(), static_cast<unsigned long long>(seed));
    }

    bench::Report report;
    report.protocol = "pop3";
    report.target = flags.target;
    report.unit = bench::pop3_unit(options.workload);
    bench::run_load(engine_options(flags, options.endpoint), bench::pop3_session(options), report);
    print_summary(report);
    write_json(flags.json_path,
               bench::to_json(report, {{"options",
                                        {{"concurrency", flags.concurrency},
                                         {"workload", flags.workload},
                                         {"pipelining", flags.pipelining},
                                         {"tls", sc::to_string(options.tls)},
                                         {"open_loop", flags.rate.has_value()}}}}));
    return outcome(report);
}

int run_scenario(const ScenarioFlags& flags) {
    auto suites = sc::load_suites(flags.suites.resolved_paths());
    if (!suites.errors.empty()) {
        print_load_errors(stderr, suites.errors);
        return 2;
    }
    TargetFlags target_flags;
    target_flags.file = flags.target_file;
    const ResolvedTarget target =
        resolve_target(target_flags, "bench", {.store = reference::Durability::unsynced});
    if (!target)
        return target.exit_code;
    if (target.embedded)
        std::fprintf(stderr, "bench: target is the embedded reference\n");
    const sc::TargetProfile& profile = target.profile;
    bench::ScenarioLoadOptions options;
    options.profile = &profile;
    options.capabilities = harness::run::probe_capabilities(profile, sc::Duration(5000));
    std::vector<std::string> skipped;
    options.cases = bench::runnable_cases(
        harness::run::select_cases(suites.suites, flags.suites.selection(), std::nullopt),
        options.capabilities, skipped);
    for (const auto& why : skipped)
        std::fprintf(stderr, "bench: left out %s\n", why.c_str());
    if (options.cases.empty())
        throw UsageError("no case to run: the selection is empty or the target can run none");

    bench::Report report;
    report.protocol = "scenario";
    report.target = profile.name;
    report.unit = "case";
    bench::EngineOptions engine = engine_options(flags);
    engine.threads = flags.concurrency;  // the case executor blocks: a thread per session
    bench::run_load(engine, bench::scenario_session(options), report);
    print_summary(report);
    write_json(flags.json_path,
               bench::to_json(report, {{"options",
                                        {{"concurrency", flags.concurrency},
                                         {"cases", options.cases.size()},
                                         {"open_loop", flags.rate.has_value()}}}}));
    return outcome(report);
}

int run_merge(const std::vector<std::string>& inputs, const std::string& output) {
    std::vector<bench::Report> reports;
    for (const auto& path : inputs) {
        std::ifstream in(path);
        if (!in)
            throw UsageError("cannot read " + path);
        try {
            reports.push_back(bench::report_from_json(nlohmann::json::parse(in)));
        } catch (const std::exception& e) {
            throw UsageError(path + ": " + e.what());
        }
    }
    const bench::Report merged = bench::merge_reports(reports);
    print_summary(merged);
    write_json(output, bench::to_json(merged, {}));
    return 0;
}

// How much load, and where the result goes: every bench subcommand.
void add_load(CLI::App& cmd, CommonFlags& f) {
    cmd.add_option("--concurrency,-c", f.concurrency, "sessions at once")
        ->check(CLI::Range(1u, 100000u));
    cmd.add_option("--duration", f.duration_s, "seconds to measure (after the warm-up)");
    cmd.add_option("--rate", f.rate,
                   "open loop: units per second (latency from the intended send time)")
        ->check(CLI::PositiveNumber);
    cmd.add_option("--warmup", f.warmup_s, "seconds at the start excluded from every figure");
    cmd.add_option("--idle-timeout", f.idle_timeout_s, "stop when nothing completes for this long");
    cmd.add_option("--json", f.json_path, "write the result JSON here (docs/performance.md)");
    cmd.add_flag("--quiet", f.quiet, "no progress line");
}

// The wire of the built-in SMTP and POP3 units.
void add_common(CLI::App& cmd, CommonFlags& f) {
    add_load(cmd, f);
    cmd.add_option("--threads", f.threads,
                   "io threads (default: one per core; half of them for a target on this host)");
    cmd.add_option("--tls", f.tls, "starttls, implicit or none (default)");
    cmd.add_flag("--pipelining", f.pipelining, "send the commands of a unit in one write");
}

int guarded(const std::function<int()>& body) {
    try {
        return body();
    } catch (const UsageError& e) {
        std::fprintf(stderr, "mailharness bench: %s\n", e.what());
        return 2;
    } catch (const std::invalid_argument& e) {
        std::fprintf(stderr, "mailharness bench: %s\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "mailharness bench: %s\n", e.what());
        return 3;
    }
}

}  // namespace

void add_bench_command(CLI::App& app, CommandContext& ctx) {
    auto* bench_cmd =
        app.add_subcommand("bench", "Load: throughput and latency (docs/performance.md)");
    bench_cmd->require_subcommand(1);

    auto smtp_flags = std::make_shared<SmtpFlags>();
    auto* smtp = bench_cmd->add_subcommand(
        "smtp", "Send messages as fast as the server takes them, or at --rate");
    add_common(*smtp, *smtp_flags);
    smtp->add_option("--smtp", smtp_flags->target, "HOST:PORT (default: the embedded reference)");
    smtp->add_option("--messages", smtp_flags->units, "messages to measure (default 1000)")
        ->excludes(smtp->get_option("--duration"));
    smtp->add_option("--size", smtp_flags->size, "message size in bytes, headers included")
        ->check(CLI::Range(std::size_t{64}, std::size_t{1} << 30));
    smtp->add_option("--size-dist", smtp_flags->size_dist, "file of \"SIZE WEIGHT\" lines")
        ->check(CLI::ExistingFile)
        ->excludes(smtp->get_option("--size"));
    smtp->add_option("--recipients", smtp_flags->recipients, "RCPT per message")
        ->check(CLI::Range(1u, 1000u));
    smtp->add_option("--to", smtp_flags->to, "recipient address (repeat; cycled)");
    smtp->add_option("--from", smtp_flags->from, "envelope sender");
    smtp->add_option("--auth", smtp_flags->auth,
                     "USER:PASSWORD for AUTH PLAIN (a second one: the --verify POP3 account)");
    smtp->add_flag("--reuse,!--no-reuse", smtp_flags->reuse,
                   "keep the connection for the next message (default) or reconnect each time");
    smtp->add_flag("--verify", smtp_flags->verify,
                   "tag every message and check afterwards: delivered, intact, no duplicates");
    smtp->add_option("--verify-maildir", smtp_flags->verify_maildir, "check this Maildir");
    smtp->add_option("--verify-pop3", smtp_flags->verify_pop3, "check through POP3 at HOST:PORT");
    smtp->callback(
        [smtp_flags, &ctx] { ctx.exit_code = guarded([&] { return run_smtp(*smtp_flags); }); });

    auto pop3_flags = std::make_shared<Pop3Flags>();
    auto* pop3 =
        bench_cmd->add_subcommand("pop3", "POP3 sessions as fast as the server serves them");
    add_common(*pop3, *pop3_flags);
    pop3->add_option("--pop3", pop3_flags->target, "HOST:PORT (default: the embedded reference)");
    pop3->add_option("--sessions", pop3_flags->units, "POP3 sessions to measure (default 1000)")
        ->excludes(pop3->get_option("--duration"));
    pop3->add_option("--workload", pop3_flags->workload, "login, retr-all, top or mixed");
    pop3->add_option("--auth", pop3_flags->auth,
                     "USER:PASSWORD (repeat: sessions take them in turn; default: the embedded "
                     "reference's load1..loadN, one per session)");
    pop3->add_option("--seed-messages", pop3_flags->seed_messages,
                     "embedded reference: messages put in each maildrop first (default 100)");
    pop3->callback(
        [pop3_flags, &ctx] { ctx.exit_code = guarded([&] { return run_pop3(*pop3_flags); }); });

    auto scenario_flags = std::make_shared<ScenarioFlags>();
    auto* scenario = bench_cmd->add_subcommand(
        "scenario", "Suite cases as the unit of load: each unit runs one case, whole");
    add_load(*scenario, *scenario_flags);
    scenario_flags->suites.add_to(*scenario, true);
    scenario->add_option("--runs", scenario_flags->units, "case runs to measure (default 1000)")
        ->excludes(scenario->get_option("--duration"));
    scenario->add_option("--target", scenario_flags->target_file,
                         "target profile (YAML); default: the embedded reference");
    scenario->callback([scenario_flags, &ctx] {
        ctx.exit_code = guarded([&] { return run_scenario(*scenario_flags); });
    });

    auto inputs = std::make_shared<std::vector<std::string>>();
    auto output = std::make_shared<std::string>();
    auto* merge =
        bench_cmd->add_subcommand("merge", "Combine the JSON of bench processes that ran together");
    merge->add_option("inputs", *inputs, "bench JSON files")->required()->check(CLI::ExistingFile);
    merge->add_option("-o,--out", *output, "merged JSON");
    merge->callback([inputs, output, &ctx] {
        ctx.exit_code = guarded([&] { return run_merge(*inputs, *output); });
    });
}

}  // namespace mh::cli
