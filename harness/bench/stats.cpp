#include "harness/bench/stats.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace mh::harness::bench {

void Stats::error(const std::string& command, const std::string& error_class,
                  const std::string& detail) {
    ++errors[error_class];
    ++errors_by_command[command + " " + detail];
}

std::uint64_t Stats::error_count() const {
    std::uint64_t total = 0;
    for (const auto& [name, count] : errors)
        total += count;
    return total;
}

void Stats::merge(const Stats& other) {
    units += other.units;
    bytes += other.bytes;
    warmup_units += other.warmup_units;
    latency.merge(other.latency);
    for (const auto& [name, histogram] : other.commands)
        commands[name].merge(histogram);
    connect.merge(other.connect);
    tls_handshake.merge(other.tls_handshake);
    for (const auto& [name, count] : other.errors)
        errors[name] += count;
    for (const auto& [name, count] : other.errors_by_command)
        errors_by_command[name] += count;
}

double Report::rate() const {
    return measured_seconds > 0 ? static_cast<double>(stats.units) / measured_seconds : 0.0;
}

double Report::megabytes_per_s() const {
    return measured_seconds > 0 ? static_cast<double>(stats.bytes) / 1e6 / measured_seconds : 0.0;
}

nlohmann::json to_json(const Report& report, const nlohmann::json& extra) {
    nlohmann::json commands = nlohmann::json::object();
    for (const auto& [name, histogram] : report.stats.commands)
        commands[name] = histogram.to_json();
    nlohmann::json timeline = nlohmann::json::array();
    for (const Sample& s : report.timeline)
        timeline.push_back(
            {{"t", s.t}, {"units", s.units}, {"bytes", s.bytes}, {"errors", s.errors}});
    nlohmann::json json{
        {"kind", "mailharness-bench"},
        {"format", 1},
        {"protocol", report.protocol},
        {"target", report.target},
        {"unit", report.unit},
        {"start_unix_ms", report.start_unix_ms},
        {"processes", report.processes},
        {"warmup", {{"seconds", report.warmup_seconds}, {"units", report.stats.warmup_units}}},
        {"measured_seconds", report.measured_seconds},
        {"units", report.stats.units},
        {"bytes", report.stats.bytes},
        {"units_per_s", report.rate()},
        {"mb_per_s", report.megabytes_per_s()},
        {"latency_ns", report.stats.latency.to_json()},
        {"commands_ns", std::move(commands)},
        {"connect_ns", report.stats.connect.to_json()},
        {"tls_handshake_ns", report.stats.tls_handshake.to_json()},
        {"errors",
         {{"total", report.stats.error_count()},
          {"by_class", report.stats.errors},
          {"by_command", report.stats.errors_by_command}}},
        {"timeline", std::move(timeline)},
    };
    for (const auto& [key, value] : extra.items())
        json[key] = value;
    return json;
}

namespace {

const nlohmann::json& member(const nlohmann::json& json, const char* name) {
    if (!json.is_object() || !json.contains(name))
        throw std::invalid_argument(std::string("missing \"") + name + "\"");
    return json[name];
}

template <typename T>
T number(const nlohmann::json& json, const char* name) {
    const auto& value = member(json, name);
    if (!value.is_number())
        throw std::invalid_argument(std::string("\"") + name + "\" must be a number");
    return value.get<T>();
}

Histogram histogram(const nlohmann::json& json, const std::string& name) {
    try {
        return Histogram::from_json(json);
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument("\"" + name + "\": " + e.what());
    }
}

std::map<std::string, std::uint64_t> counts(const nlohmann::json& json, const char* name) {
    std::map<std::string, std::uint64_t> out;
    for (const auto& [key, value] : member(json, name).items()) {
        if (!value.is_number_unsigned())
            throw std::invalid_argument(std::string("\"") + name + "\".\"" + key +
                                        "\" must be a count");
        out[key] = value.get<std::uint64_t>();
    }
    return out;
}

}  // namespace

Report report_from_json(const nlohmann::json& json) {
    if (!json.is_object() || json.value("kind", "") != "mailharness-bench")
        throw std::invalid_argument("not a bench result (\"kind\" is not \"mailharness-bench\")");
    Report report;
    report.protocol = member(json, "protocol").get<std::string>();
    report.target = member(json, "target").get<std::string>();
    report.unit = member(json, "unit").get<std::string>();
    report.start_unix_ms = number<std::int64_t>(json, "start_unix_ms");
    report.processes = number<unsigned>(json, "processes");
    report.warmup_seconds = number<double>(member(json, "warmup"), "seconds");
    report.stats.warmup_units = number<std::uint64_t>(member(json, "warmup"), "units");
    report.measured_seconds = number<double>(json, "measured_seconds");
    report.stats.units = number<std::uint64_t>(json, "units");
    report.stats.bytes = number<std::uint64_t>(json, "bytes");
    report.stats.latency = histogram(member(json, "latency_ns"), "latency_ns");
    for (const auto& [name, value] : member(json, "commands_ns").items())
        report.stats.commands[name] = histogram(value, "commands_ns." + name);
    report.stats.connect = histogram(member(json, "connect_ns"), "connect_ns");
    report.stats.tls_handshake = histogram(member(json, "tls_handshake_ns"), "tls_handshake_ns");
    const auto& errors = member(json, "errors");
    report.stats.errors = counts(errors, "by_class");
    report.stats.errors_by_command = counts(errors, "by_command");
    for (const auto& s : member(json, "timeline"))
        report.timeline.push_back({number<double>(s, "t"), number<std::uint64_t>(s, "units"),
                                   number<std::uint64_t>(s, "bytes"),
                                   number<std::uint64_t>(s, "errors")});
    return report;
}

Report merge_reports(const std::vector<Report>& reports) {
    if (reports.empty())
        throw std::invalid_argument("nothing to merge");
    Report merged;
    merged.protocol = reports.front().protocol;
    merged.unit = reports.front().unit;
    merged.processes = 0;
    merged.start_unix_ms = reports.front().start_unix_ms;
    for (const Report& r : reports)
        merged.start_unix_ms = std::min(merged.start_unix_ms, r.start_unix_ms);
    std::map<long, Sample> seconds;  // whole seconds since the earliest start
    for (const Report& r : reports) {
        if (r.protocol != merged.protocol || r.unit != merged.unit)
            throw std::invalid_argument("cannot merge a " + r.protocol + " run (" + r.unit +
                                        "s) into a " + merged.protocol + " run (" + merged.unit +
                                        "s)");
        if (merged.target.find(r.target) == std::string::npos)
            merged.target += (merged.target.empty() ? "" : ", ") + r.target;
        merged.processes += r.processes;
        merged.warmup_seconds = std::max(merged.warmup_seconds, r.warmup_seconds);
        merged.measured_seconds = std::max(merged.measured_seconds, r.measured_seconds);
        merged.stats.merge(r.stats);
        const double offset = static_cast<double>(r.start_unix_ms - merged.start_unix_ms) / 1000.0;
        for (const Sample& s : r.timeline) {
            const double t = s.t + offset;
            Sample& slot = seconds[std::lround(t)];
            slot.t = static_cast<double>(std::lround(t));
            slot.units += s.units;
            slot.bytes += s.bytes;
            slot.errors += s.errors;
        }
    }
    for (const auto& [second, sample] : seconds)
        merged.timeline.push_back(sample);
    return merged;
}

std::string format_latency(std::uint64_t ns) {
    if (ns < 10'000)
        return fmt::format("{} ns", ns);
    if (ns < 10'000'000)
        return fmt::format("{:.1f} us", static_cast<double>(ns) / 1e3);
    if (ns < 10'000'000'000)
        return fmt::format("{:.1f} ms", static_cast<double>(ns) / 1e6);
    return fmt::format("{:.2f} s", static_cast<double>(ns) / 1e9);
}

}  // namespace mh::harness::bench
