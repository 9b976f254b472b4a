#pragma once
// The result model of a run: what the executor produces and every report renders.
// Serialised as the versioned JSON of docs/report-schema.md (harness/report/json_report.*).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mh::harness {

enum class Level { must, should, may };  // weights 3 / 2 / 1
enum class Outcome { pass, fail, skip, waived, error };

int weight(Level level);
const char* to_string(Level level);      // "MUST", "SHOULD", "MAY"
const char* to_string(Outcome outcome);  // "pass", "fail", "skip", "waived", "error"
// Inverse of to_string (exact spelling); nullopt for anything else.
std::optional<Level> parse_level(std::string_view text);
std::optional<Outcome> parse_outcome(std::string_view text);

struct TranscriptLine {
    enum class Direction { client, server, note };  // C:, S:, and harness notes ("# ...")
    Direction direction = Direction::note;
    double at_ms = 0;        // since the case started
    std::string text;        // one line, without CRLF; non-printable bytes escaped (\r \n \xHH)
    std::string connection;  // "" for the default connection, else the `connect: {name}` name

    bool operator==(const TranscriptLine&) const = default;
};

struct CaseResult {
    std::string suite;  // suite id
    std::string id;     // case id; full id is suite + "/" + id
    std::string title;
    std::string spec;  // "RFC5321"
    std::string ref;   // "4.1.1.10"
    Level level = Level::must;
    std::vector<std::string> tags;
    Outcome outcome = Outcome::error;
    std::string message;                     // why it failed / was skipped / errored; empty on pass
    std::string expected;                    // on fail: the expectation, as written
    std::string actual;                      // on fail: what arrived
    std::optional<std::size_t> failed_step;  // 0-based index into the case's flattened steps
    std::string waiver_reason;               // on waived
    double duration_ms = 0;
    std::vector<TranscriptLine> transcript;

    std::string full_id() const { return suite + "/" + id; }
    bool operator==(const CaseResult&) const = default;
};

struct TargetInfo {
    std::string name;  // profile's `target`, or "embedded-reference"
    std::string smtp;  // "host:port (tls mode)", empty when not configured
    std::string pop3;
    std::vector<std::string> smtp_capabilities;  // EHLO keywords as advertised
    std::vector<std::string> pop3_capabilities;  // CAPA lines

    bool operator==(const TargetInfo&) const = default;
};

struct RunResult {
    std::string tool_version;
    std::string started_at;  // ISO 8601 UTC
    double duration_ms = 0;
    bool partial = false;      // interrupted (Ctrl-C) or a shard
    bool interrupted = false;  // stopped (Ctrl-C) before every selected case ran
    // No connection to the target could be opened at all (the capability probe failed on every
    // configured endpoint), so the cases are `error`: run_exit_code gives 3
    // (docs/report-schema.md).
    bool target_unreachable = false;
    std::string shard;  // "I/N" when sharded
    TargetInfo target;
    std::vector<CaseResult> cases;
    std::vector<std::string> unused_waivers;  // waiver patterns that matched no case

    bool operator==(const RunResult&) const = default;
};

}  // namespace mh::harness
