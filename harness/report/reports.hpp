#pragma once
// Reports of a run. JSON is the source of truth (versioned schema, docs/report-schema.md):
// every other format can be rendered from a RunResult read back from JSON.

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "harness/result.hpp"

namespace mh::harness::report {

// The JSON schema this mailharness writes and the newest it reads.
inline constexpr int json_schema_version = 1;

std::string render_json(const RunResult& run);
// Throws std::runtime_error naming what is wrong (e.g. "results.json: schema_version 7 is
// newer than this mailharness understands").
RunResult parse_json(std::string_view text, std::string_view source_name);
// Joins shards (or several runs against one target) into one result: cases deduplicated by full
// id and sorted by it, scores recomputed by the renderers. Throws std::runtime_error when two
// parts disagree on a case's verdict, on the target, or on the mailharness version; `names`
// (one per part, e.g. file names) are used in those messages. Rules: docs/report-schema.md.
RunResult merge(const std::vector<RunResult>& parts);
RunResult merge(const std::vector<RunResult>& parts, const std::vector<std::string>& names);

std::string render_junit(const RunResult& run);
std::string render_markdown(const RunResult& run);

struct ConsoleStyle {
    bool color = false;    // ANSI colours (a terminal, and NO_COLOR unset)
    bool verbose = false;  // transcripts of failures inline
};
// One line per case, printed as cases finish.
void print_case_line(std::FILE* out, const CaseResult& result, const ConsoleStyle& style);
// Summary table, MUST failures first, with expected / actual / transcript of each failure.
void print_summary(std::FILE* out, const RunResult& run, const ConsoleStyle& style);

}  // namespace mh::harness::report
