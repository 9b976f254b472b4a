#pragma once
// A run diff as text for a terminal, as Markdown (CI summaries) and as an HTML page, with the
// two transcripts of each differing case side by side.

#include <cstddef>
#include <string>

#include "harness/diff/run_diff.hpp"

namespace mh::harness::diff {

struct DiffLabels {
    std::string a = "A", b = "B";  // e.g. the target names, or the two file names
};

// `width`: the terminal's columns; each transcript gets half, longer lines are cut with "…".
std::string render_diff_console(const RunDiff& diff, const DiffLabels& labels, std::size_t width);
std::string render_diff_markdown(const RunDiff& diff, const DiffLabels& labels);
// The HTML report (harness/report/html_report.hpp) of the differing cases only, one column per
// run, without scores (the pages hold excerpts of the runs).
std::string render_diff_html(const RunDiff& diff, const DiffLabels& labels);

// "3 of 120 cases differ (2 outcome, 1 reply classes)", "no difference in 120 cases".
std::string diff_summary(const RunDiff& diff);

}  // namespace mh::harness::diff
