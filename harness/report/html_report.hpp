#pragma once
// The HTML report (docs/reports.md "HTML"): one self-contained page - inline CSS, SVG and a
// little script, nothing fetched - rendered from run results, one column per target (a results
// matrix when there are several), and from bench results (throughput and latency charts).

#include <string>
#include <vector>

#include "harness/bench/stats.hpp"
#include "harness/result.hpp"

namespace mh::harness::report {

enum class TranscriptScope {
    all,       // every case's transcript
    problems,  // only cases that did not pass (keeps a many-target matrix small)
};

struct HtmlOptions {
    std::string title = "mailharness report";
    std::string note;                 // a paragraph below the title (e.g. a diff's summary)
    std::vector<std::string> labels;  // column heading per run; default: the target names
    bool scores = true;  // false when the runs are excerpts (a diff): no score, no matrix
    TranscriptScope transcripts = TranscriptScope::all;
};

std::string render_html(const std::vector<RunResult>& runs,
                        const std::vector<bench::Report>& benches, const HtmlOptions& options);

// Column headings for `runs`: the target names, "#2", "#3"... appended where they repeat.
std::vector<std::string> run_labels(const std::vector<RunResult>& runs);

}  // namespace mh::harness::report
