#pragma once
// Reports of a run. JSON is the source of truth (versioned schema, docs/report-schema.md):
// every other format can be rendered from a RunResult read back from JSON.

#include <chrono>
#include <cstdio>
#include <mutex>
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
// Several runs side by side (a results matrix, e.g. reports/peers/matrix.md): one column per
// run headed by `labels`, scores per spec and per section (MUST failures first), then every
// case that did not pass everywhere with its outcome per run.
std::string render_markdown_matrix(const std::vector<RunResult>& runs,
                                   const std::vector<std::string>& labels);

struct ConsoleStyle {
    bool color = false;    // ANSI colours (a terminal, and NO_COLOR unset)
    bool verbose = false;  // transcripts of failures inline
};
bool is_terminal(std::FILE* out);
// Colours when `out` is a terminal and NO_COLOR is unset or empty (https://no-color.org).
ConsoleStyle console_style(std::FILE* out, bool verbose);
// One line per case, printed as cases finish: "FAIL   suite/id  RFC5321 4.1.1.10  MUST  12 ms
// -- why". Verbose: expected / actual / whole transcript of a failure or error below it.
void print_case_line(std::FILE* out, const CaseResult& result, const ConsoleStyle& style);
// Summary table, MUST failures first, with expected / actual / transcript of each failure (its
// last 20 lines; all of it when verbose).
void print_summary(std::FILE* out, const RunResult& run, const ConsoleStyle& style);

// For long runs: prints each finished case's line and keeps a progress line ("[45/300] 2 failed,
// 0 errors, 12 s") below them, redrawn in place. The progress line appears only on a terminal;
// elsewhere this prints the case lines alone. Safe to call from parallel case runners.
class ProgressLine {
  public:
    ProgressLine(std::FILE* out, std::size_t total_cases);
    ~ProgressLine();  // erases the progress line
    ProgressLine(const ProgressLine&) = delete;
    ProgressLine& operator=(const ProgressLine&) = delete;

    void case_finished(const CaseResult& result, const ConsoleStyle& style);

  private:
    void erase();

    std::mutex mutex_;
    std::FILE* out_;
    bool active_;
    bool shown_ = false;
    std::size_t total_;
    std::size_t done_ = 0, failed_ = 0, errored_ = 0;
    std::chrono::steady_clock::time_point started_;
};

}  // namespace mh::harness::report
