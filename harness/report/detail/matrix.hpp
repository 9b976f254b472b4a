#pragma once
// Several runs side by side (one column per run, a row per spec, section or case), ordered so
// that MUST failures come first: what the HTML report and the Markdown matrix both show.

#include <string>
#include <string_view>
#include <vector>

#include "harness/result.hpp"
#include "harness/scoring.hpp"

namespace mh::harness::report::detail {

// A group of cases (a spec, or a section of one) in one run.
struct MatrixCell {
    bool present = false;      // the run has a case in this group
    bool must_failed = false;  // a MUST case ended `fail`
    bool errored = false;      // a case ended `error`
    Score score;
};

// "must", "error", "partial" (SHOULD / MAY failed, or waived), "pass", "na" (nothing
// applicable), "absent": the cell's colour, in this order of precedence.
const char* cell_kind(const MatrixCell& cell);

// 0 a MUST failed, 1 another failure or an error, 2 waived, 3 otherwise: a row's severity is
// that of its worst cell.
int cell_severity(const MatrixCell& cell);

struct MatrixRow {
    std::string spec, ref;  // ref empty in the per-spec rows
    int severity = 3;
    std::vector<MatrixCell> cells;  // one per run
};

// Per spec, in spec order.
std::vector<MatrixRow> spec_rows(const std::vector<RunResult>& runs);
// Per (spec, section): by severity, then spec, then section ("4.1.1.9" before "4.1.1.10").
std::vector<MatrixRow> section_rows(const std::vector<RunResult>& runs);

struct CaseRow {
    std::string full_id;
    int severity = 4;  // of the worst copy: 0 MUST fail/error, 1 other fail/error, 2 waived,
                       // 3 skipped, 4 passed
    std::vector<const CaseResult*> results;  // one per run, nullptr where it did not run
    const CaseResult& any() const;           // the first copy (title, spec, level)
};

// Every case of any run, by severity, then in the order of the first run that has it.
std::vector<CaseRow> case_rows(const std::vector<RunResult>& runs);

bool natural_less(std::string_view a, std::string_view b);

}  // namespace mh::harness::report::detail
