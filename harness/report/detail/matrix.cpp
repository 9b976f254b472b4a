#include "harness/report/detail/matrix.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <stdexcept>
#include <utility>

namespace mh::harness::report::detail {

namespace {

int case_severity(const CaseResult& result) {
    switch (result.outcome) {
        case Outcome::fail:
        case Outcome::error:
            return result.level == Level::must ? 0 : 1;
        case Outcome::waived:
            return 2;
        case Outcome::skip:
            return 3;
        case Outcome::pass:
            return 4;
    }
    return 4;
}

void note_case(MatrixCell& cell, const CaseResult& result) {
    cell.present = true;
    cell.must_failed =
        cell.must_failed || (result.level == Level::must && result.outcome == Outcome::fail);
    cell.errored = cell.errored || result.outcome == Outcome::error;
}

std::size_t digits_end(std::string_view text, std::size_t at) {
    while (at < text.size() && std::isdigit(static_cast<unsigned char>(text[at]))) {
        ++at;
    }
    return at;
}

std::string_view without_leading_zeros(std::string_view digits) {
    return digits.substr(std::min(digits.find_first_not_of('0'), digits.size()));
}

}  // namespace

const char* cell_kind(const MatrixCell& cell) {
    if (!cell.present) {
        return "absent";
    }
    if (cell.must_failed) {
        return "must";
    }
    if (cell.errored) {
        return "error";
    }
    if (cell.score.applicable_weight == 0) {
        return "na";
    }
    return cell.score.passed_weight == cell.score.applicable_weight ? "pass" : "partial";
}

int cell_severity(const MatrixCell& cell) {
    if (cell.must_failed) {
        return 0;
    }
    if (cell.errored || cell.score.failed > 0) {
        return 1;
    }
    return cell.score.waived > 0 ? 2 : 3;
}

bool natural_less(std::string_view a, std::string_view b) {
    std::size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        if (std::isdigit(static_cast<unsigned char>(a[i])) &&
            std::isdigit(static_cast<unsigned char>(b[j]))) {
            const std::size_t i_end = digits_end(a, i), j_end = digits_end(b, j);
            const std::string_view x = without_leading_zeros(a.substr(i, i_end - i));
            const std::string_view y = without_leading_zeros(b.substr(j, j_end - j));
            if (x.size() != y.size()) {
                return x.size() < y.size();
            }
            if (x != y) {
                return x < y;
            }
            i = i_end;
            j = j_end;
        } else if (a[i] != b[j]) {
            return a[i] < b[j];
        } else {
            ++i;
            ++j;
        }
    }
    return a.size() - i < b.size() - j;
}

std::vector<MatrixRow> spec_rows(const std::vector<RunResult>& runs) {
    std::map<std::string, MatrixRow> rows;
    for (std::size_t i = 0; i < runs.size(); ++i) {
        const Scores scores = compute_scores(runs[i]);
        for (const auto& [spec, score] : scores.per_spec) {
            MatrixRow& row = rows[spec];
            row.spec = spec;
            row.cells.resize(runs.size());
            row.cells[i].score = score;
        }
        for (const CaseResult& result : runs[i].cases) {
            note_case(rows[result.spec].cells[i], result);
        }
    }
    std::vector<MatrixRow> out;
    for (auto& [spec, row] : rows) {
        for (const MatrixCell& cell : row.cells) {
            row.severity = std::min(row.severity, cell_severity(cell));
        }
        out.push_back(std::move(row));
    }
    std::sort(out.begin(), out.end(),
              [](const MatrixRow& a, const MatrixRow& b) { return natural_less(a.spec, b.spec); });
    return out;
}

std::vector<MatrixRow> section_rows(const std::vector<RunResult>& runs) {
    std::map<std::pair<std::string, std::string>, MatrixRow> rows;
    for (std::size_t i = 0; i < runs.size(); ++i) {
        const Scores scores = compute_scores(runs[i]);
        for (const auto& [spec, sections] : scores.per_section) {
            for (const auto& [ref, score] : sections) {
                MatrixRow& row = rows[{spec, ref}];
                row.spec = spec;
                row.ref = ref;
                row.cells.resize(runs.size());
                row.cells[i].score = score;
            }
        }
        for (const CaseResult& result : runs[i].cases) {
            MatrixRow& row = rows[{result.spec, result.ref}];
            row.spec = result.spec;
            row.ref = result.ref;
            row.cells.resize(runs.size());
            note_case(row.cells[i], result);
        }
    }
    std::vector<MatrixRow> out;
    for (auto& [key, row] : rows) {
        for (const MatrixCell& cell : row.cells) {
            row.severity = std::min(row.severity, cell_severity(cell));
        }
        out.push_back(std::move(row));
    }
    std::sort(out.begin(), out.end(), [](const MatrixRow& a, const MatrixRow& b) {
        if (a.severity != b.severity) {
            return a.severity < b.severity;
        }
        if (a.spec != b.spec) {
            return natural_less(a.spec, b.spec);
        }
        return natural_less(a.ref, b.ref);
    });
    return out;
}

const CaseResult& CaseRow::any() const {
    for (const CaseResult* result : results) {
        if (result != nullptr) {
            return *result;
        }
    }
    throw std::logic_error("a case row without results");
}

std::vector<CaseRow> case_rows(const std::vector<RunResult>& runs) {
    std::vector<CaseRow> rows;
    std::map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < runs.size(); ++i) {
        for (const CaseResult& result : runs[i].cases) {
            auto [entry, inserted] = index.try_emplace(result.full_id(), rows.size());
            if (inserted) {
                rows.push_back(
                    CaseRow{result.full_id(), 4, std::vector<const CaseResult*>(runs.size())});
            }
            CaseRow& row = rows[entry->second];
            row.results[i] = &result;
            row.severity = std::min(row.severity, case_severity(result));
        }
    }
    std::stable_sort(rows.begin(), rows.end(),
                     [](const CaseRow& a, const CaseRow& b) { return a.severity < b.severity; });
    return rows;
}

}  // namespace mh::harness::report::detail
