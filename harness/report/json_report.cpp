// The JSON results file, schema_version 1 (docs/report-schema.md,
// reports/schema/results-v1.schema.json). Writing emits every member; reading is strict: every
// member is required, unknown members are errors, and each error names its JSON pointer.

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>

#include "harness/report/detail/utf8.hpp"
#include "harness/report/reports.hpp"
#include "harness/scoring.hpp"

namespace mh::harness::report {

namespace {

using OrderedJson = nlohmann::ordered_json;
using Json = nlohmann::json;

// JSON strings must be UTF-8; peer bytes that are not are kept as \xHH.
std::string utf8(std::string_view text) {
    return detail::escape_bytes(text, detail::any_code_point);
}

OrderedJson strings(const std::vector<std::string>& values) {
    OrderedJson array = OrderedJson::array();
    for (const std::string& value : values) {
        array.push_back(utf8(value));
    }
    return array;
}

const char* direction_name(TranscriptLine::Direction direction) {
    switch (direction) {
        case TranscriptLine::Direction::client:
            return "client";
        case TranscriptLine::Direction::server:
            return "server";
        case TranscriptLine::Direction::note:
            return "note";
    }
    return "note";
}

OrderedJson score_json(const Score& score) {
    return OrderedJson{
        {"ratio", score.ratio()},
        {"passed_weight", score.passed_weight},
        {"applicable_weight", score.applicable_weight},
        {"pass", score.passed},
        {"fail", score.failed},
        {"skip", score.skipped},
        {"waived", score.waived},
        {"error", score.errored},
    };
}

OrderedJson scores_json(const Scores& scores) {
    OrderedJson specs = OrderedJson::object();
    for (const auto& [spec, score] : scores.per_spec) {
        OrderedJson entry = score_json(score);
        OrderedJson sections = OrderedJson::object();
        for (const auto& [ref, section_score] : scores.per_section.at(spec)) {
            sections[utf8(ref)] = score_json(section_score);
        }
        entry["sections"] = std::move(sections);
        specs[utf8(spec)] = std::move(entry);
    }
    return OrderedJson{{"overall", score_json(scores.overall)}, {"specs", std::move(specs)}};
}

OrderedJson case_json(const CaseResult& result) {
    OrderedJson transcript = OrderedJson::array();
    for (const TranscriptLine& line : result.transcript) {
        transcript.push_back(OrderedJson{
            {"direction", direction_name(line.direction)},
            {"at_ms", line.at_ms},
            {"connection", utf8(line.connection)},
            {"text", utf8(line.text)},
        });
    }
    return OrderedJson{
        {"full_id", utf8(result.full_id())},
        {"suite", utf8(result.suite)},
        {"id", utf8(result.id)},
        {"title", utf8(result.title)},
        {"spec", utf8(result.spec)},
        {"ref", utf8(result.ref)},
        {"level", to_string(result.level)},
        {"tags", strings(result.tags)},
        {"outcome", to_string(result.outcome)},
        {"message", utf8(result.message)},
        {"expected", utf8(result.expected)},
        {"actual", utf8(result.actual)},
        {"failed_step", result.failed_step ? OrderedJson(*result.failed_step) : OrderedJson()},
        {"waiver_reason", utf8(result.waiver_reason)},
        {"duration_ms", result.duration_ms},
        {"transcript", std::move(transcript)},
    };
}

// Reads one JSON object, member by member, with the pointer of each member for error messages.
class ObjectReader {
  public:
    ObjectReader(const Json& value, std::string pointer, std::string_view source,
                 std::initializer_list<const char*> members)
        : value_(value), pointer_(std::move(pointer)), source_(source) {
        if (!value_.is_object()) {
            fail(pointer_, "expected an object");
        }
        std::set<std::string_view> known(members.begin(), members.end());
        for (const auto& [key, member] : value_.items()) {
            if (!known.contains(key)) {
                fail(pointer_ + "/" + key, "unknown member (schema_version 1 has: " +
                                               fmt::format("{}", fmt::join(members, ", ")) + ")");
            }
        }
        for (const char* member : members) {
            if (!value_.contains(member)) {
                fail(pointer_, fmt::format("missing member \"{}\"", member));
            }
        }
    }

    const Json& at(const char* key) const { return value_.at(key); }
    std::string pointer(const char* key) const { return pointer_ + "/" + key; }
    std::string_view source() const { return source_; }

    std::string string(const char* key) const {
        const Json& member = at(key);
        if (!member.is_string()) {
            fail(pointer(key), "expected a string");
        }
        return member.get<std::string>();
    }

    bool boolean(const char* key) const {
        const Json& member = at(key);
        if (!member.is_boolean()) {
            fail(pointer(key), "expected true or false");
        }
        return member.get<bool>();
    }

    double milliseconds(const char* key) const {
        const Json& member = at(key);
        if (!member.is_number() || member.get<double>() < 0) {
            fail(pointer(key), "expected a number of milliseconds >= 0");
        }
        return member.get<double>();
    }

    std::vector<std::string> strings(const char* key) const {
        const Json& member = at(key);
        if (!member.is_array()) {
            fail(pointer(key), "expected an array of strings");
        }
        std::vector<std::string> values;
        for (std::size_t i = 0; i < member.size(); ++i) {
            if (!member[i].is_string()) {
                fail(fmt::format("{}/{}", pointer(key), i), "expected a string");
            }
            values.push_back(member[i].get<std::string>());
        }
        return values;
    }

    const Json& array(const char* key) const {
        const Json& member = at(key);
        if (!member.is_array()) {
            fail(pointer(key), "expected an array");
        }
        return member;
    }

    [[noreturn]] void fail(const std::string& where, const std::string& what) const {
        throw std::runtime_error(
            fmt::format("{}: {}: {}", source_, where.empty() ? "/" : where, what));
    }

  private:
    const Json& value_;
    std::string pointer_;
    std::string_view source_;
};

TranscriptLine parse_transcript_line(const Json& value, const std::string& pointer,
                                     std::string_view source) {
    const ObjectReader reader(value, pointer, source, {"direction", "at_ms", "connection", "text"});
    TranscriptLine line;
    const std::string direction = reader.string("direction");
    if (direction == "client") {
        line.direction = TranscriptLine::Direction::client;
    } else if (direction == "server") {
        line.direction = TranscriptLine::Direction::server;
    } else if (direction == "note") {
        line.direction = TranscriptLine::Direction::note;
    } else {
        reader.fail(reader.pointer("direction"),
                    fmt::format("\"{}\" is not one of client, server, note", direction));
    }
    line.at_ms = reader.milliseconds("at_ms");
    line.connection = reader.string("connection");
    line.text = reader.string("text");
    return line;
}

CaseResult parse_case(const Json& value, const std::string& pointer, std::string_view source) {
    const ObjectReader reader(
        value, pointer, source,
        {"full_id", "suite", "id", "title", "spec", "ref", "level", "tags", "outcome", "message",
         "expected", "actual", "failed_step", "waiver_reason", "duration_ms", "transcript"});
    CaseResult result;
    result.suite = reader.string("suite");
    result.id = reader.string("id");
    if (reader.string("full_id") != result.full_id()) {
        reader.fail(reader.pointer("full_id"),
                    fmt::format("expected \"{}\" (suite + \"/\" + id)", result.full_id()));
    }
    result.title = reader.string("title");
    result.spec = reader.string("spec");
    result.ref = reader.string("ref");
    const std::string level = reader.string("level");
    const std::optional<Level> parsed_level = parse_level(level);
    if (!parsed_level) {
        reader.fail(reader.pointer("level"),
                    fmt::format("\"{}\" is not one of MUST, SHOULD, MAY", level));
    }
    result.level = *parsed_level;
    result.tags = reader.strings("tags");
    const std::string outcome = reader.string("outcome");
    const std::optional<Outcome> parsed_outcome = parse_outcome(outcome);
    if (!parsed_outcome) {
        reader.fail(reader.pointer("outcome"),
                    fmt::format("\"{}\" is not one of pass, fail, skip, waived, error", outcome));
    }
    result.outcome = *parsed_outcome;
    result.message = reader.string("message");
    result.expected = reader.string("expected");
    result.actual = reader.string("actual");
    const Json& failed_step = reader.at("failed_step");
    if (failed_step.is_number_unsigned()) {
        result.failed_step = failed_step.get<std::size_t>();
    } else if (!failed_step.is_null()) {
        reader.fail(reader.pointer("failed_step"), "expected a step index >= 0 or null");
    }
    result.waiver_reason = reader.string("waiver_reason");
    result.duration_ms = reader.milliseconds("duration_ms");
    const Json& transcript = reader.array("transcript");
    for (std::size_t i = 0; i < transcript.size(); ++i) {
        result.transcript.push_back(parse_transcript_line(
            transcript[i], fmt::format("{}/{}", reader.pointer("transcript"), i), source));
    }
    return result;
}

TargetInfo parse_target(const Json& value, std::string_view source) {
    const ObjectReader reader(value, "/target", source,
                              {"name", "smtp", "pop3", "smtp_capabilities", "pop3_capabilities"});
    TargetInfo target;
    target.name = reader.string("name");
    target.smtp = reader.string("smtp");
    target.pop3 = reader.string("pop3");
    target.smtp_capabilities = reader.strings("smtp_capabilities");
    target.pop3_capabilities = reader.strings("pop3_capabilities");
    return target;
}

void check_schema_version(const Json& document, std::string_view source) {
    if (!document.is_object() || !document.contains("schema_version")) {
        throw std::runtime_error(fmt::format(
            "{}: not a mailharness results file (no \"schema_version\" member)", source));
    }
    const Json& version = document.at("schema_version");
    if (!version.is_number_integer() || version.get<long long>() < 1) {
        throw std::runtime_error(
            fmt::format("{}: /schema_version: expected a positive integer", source));
    }
    if (version.get<long long>() > json_schema_version) {
        throw std::runtime_error(
            fmt::format("{}: schema_version {} is newer than this mailharness understands ({}); "
                        "read it with a newer mailharness",
                        source, version.get<long long>(), json_schema_version));
    }
}

}  // namespace

std::string render_json(const RunResult& run) {
    OrderedJson cases = OrderedJson::array();
    for (const CaseResult& result : run.cases) {
        cases.push_back(case_json(result));
    }
    const OrderedJson document{
        {"schema_version", json_schema_version},
        {"tool", {{"name", "mailharness"}, {"version", utf8(run.tool_version)}}},
        {"started_at", utf8(run.started_at)},
        {"duration_ms", run.duration_ms},
        {"partial", run.partial},
        {"interrupted", run.interrupted},
        {"shard", run.shard.empty() ? OrderedJson() : OrderedJson(utf8(run.shard))},
        {"target_unreachable", run.target_unreachable},
        {"target",
         {
             {"name", utf8(run.target.name)},
             {"smtp", utf8(run.target.smtp)},
             {"pop3", utf8(run.target.pop3)},
             {"smtp_capabilities", strings(run.target.smtp_capabilities)},
             {"pop3_capabilities", strings(run.target.pop3_capabilities)},
         }},
        {"scores", scores_json(compute_scores(run))},
        {"cases", std::move(cases)},
        {"unused_waivers", strings(run.unused_waivers)},
    };
    return document.dump(2) + "\n";
}

RunResult parse_json(std::string_view text, std::string_view source_name) {
    Json document;
    try {
        document = Json::parse(text.begin(), text.end());
    } catch (const Json::parse_error& e) {
        throw std::runtime_error(fmt::format("{}: not valid JSON: {}", source_name, e.what()));
    }
    check_schema_version(document, source_name);
    const ObjectReader reader(
        document, "", source_name,
        {"schema_version", "tool", "started_at", "duration_ms", "partial", "interrupted", "shard",
         "target_unreachable", "target", "scores", "cases", "unused_waivers"});
    RunResult run;
    const ObjectReader tool(reader.at("tool"), "/tool", source_name, {"name", "version"});
    if (tool.string("name") != "mailharness") {
        tool.fail("/tool/name", "expected \"mailharness\"");
    }
    run.tool_version = tool.string("version");
    run.started_at = reader.string("started_at");
    run.duration_ms = reader.milliseconds("duration_ms");
    run.partial = reader.boolean("partial");
    run.interrupted = reader.boolean("interrupted");
    const Json& shard = reader.at("shard");
    if (shard.is_string()) {
        run.shard = shard.get<std::string>();
    } else if (!shard.is_null()) {
        reader.fail("/shard", "expected a string such as \"2/4\" or null");
    }
    run.target_unreachable = reader.boolean("target_unreachable");
    run.target = parse_target(reader.at("target"), source_name);
    // Scores are derived from the cases and recomputed by every reader.
    if (!reader.at("scores").is_object()) {
        reader.fail("/scores", "expected an object");
    }
    const Json& cases = reader.array("cases");
    for (std::size_t i = 0; i < cases.size(); ++i) {
        run.cases.push_back(parse_case(cases[i], fmt::format("/cases/{}", i), source_name));
    }
    run.unused_waivers = reader.strings("unused_waivers");
    return run;
}

}  // namespace mh::harness::report
