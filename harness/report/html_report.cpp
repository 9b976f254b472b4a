// The HTML report. Everything is rendered on the server side; the page's one script only
// filters the case list (and marks the page as scripted, which the browser test checks). Text
// from peers goes through detail::html_text, so a server cannot inject markup.

#include "harness/report/html_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <tuple>

#include "harness/bench/histogram.hpp"
#include "harness/report/detail/matrix.hpp"
#include "harness/report/detail/presentation.hpp"
#include "harness/report/detail/svg_chart.hpp"
#include "harness/scoring.hpp"

namespace mh::harness::report {

namespace {

using detail::html_text;

constexpr std::array<const char*, 8> palette{"#1f77b4", "#d62728", "#2ca02c", "#9467bd",
                                             "#ff7f0e", "#17becf", "#8c564b", "#e377c2"};

constexpr std::string_view style_sheet = R"css(
:root { --pass: #d7f0dc; --must: #f6c9c9; --partial: #fde7b0; --error: #e4d3f3; --na: #ececec;
        --waived: #d3e8f0; --ink: #1d1d1f; --muted: #66666c; --line: #d0d0d6; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink);
       margin: 0 auto; padding: 1.5rem; max-width: 1400px; }
h1 { font-size: 1.6rem; margin: 0 0 .3rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .6rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.05rem; margin: 1.2rem 0 .4rem; }
.note, .muted { color: var(--muted); }
table { border-collapse: collapse; margin: .4rem 0; }
th, td { border: 1px solid var(--line); padding: .25rem .55rem; text-align: left;
         vertical-align: top; }
thead th { background: #f5f5f7; position: sticky; top: 0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.big { font-size: 1.5rem; font-weight: 600; }
.cell { text-align: center; min-width: 6.5rem; font-variant-numeric: tabular-nums; }
.cell small { display: block; color: var(--muted); font-size: .75rem; }
.c-pass { background: var(--pass); } .c-must { background: var(--must); }
.c-partial { background: var(--partial); } .c-error { background: var(--error); }
.c-na { background: var(--na); } .c-absent { background: #fff; color: var(--muted); }
.legend span { display: inline-block; padding: .1rem .5rem; margin-right: .4rem;
               border: 1px solid var(--line); }
.badge { display: inline-block; min-width: 4.2rem; text-align: center; font-size: .75rem;
         font-weight: 600; padding: .05rem .35rem; border-radius: .25rem; margin-left: .2rem; }
.badge.pass { background: var(--pass); } .badge.fail { background: var(--must); }
.badge.error { background: var(--error); } .badge.skip { background: var(--na); }
.badge.waived { background: var(--waived); } .badge.absent { background: #fff;
  border: 1px dashed var(--line); color: var(--muted); }
.filters { margin: .5rem 0 .8rem; display: flex; gap: 1rem; align-items: center; }
.filters input[type=search] { width: 24rem; padding: .3rem; }
details.case { border: 1px solid var(--line); border-radius: .3rem; margin: .25rem 0; }
details.case > summary { cursor: pointer; padding: .3rem .5rem; display: flex; gap: .5rem;
                         align-items: baseline; flex-wrap: wrap; }
details.case[open] > summary { border-bottom: 1px solid var(--line); background: #fafafa; }
summary .lvl { font-weight: 600; width: 4rem; } summary .ref { color: var(--muted); }
summary .badges { margin-left: auto; }
.runs { display: grid; grid-template-columns: repeat(var(--columns), minmax(0, 1fr));
        gap: .6rem; padding: .5rem; }
.run h4 { margin: .2rem 0; font-size: .95rem; }
pre { background: #f7f7f9; border: 1px solid var(--line); padding: .4rem; margin: .3rem 0;
      overflow-x: auto; font: 12px/1.35 ui-monospace, "DejaVu Sans Mono", monospace; }
pre .t { display: block; white-space: pre-wrap; word-break: break-all; }
pre .c { color: #0b4f9c; } pre .s { color: #1d1d1f; } pre .n { color: var(--muted); }
pre .hl { background: #ffd6d6; border-left: 3px solid #c00; padding-left: .3rem; }
svg.chart { width: 100%; max-width: 640px; height: auto; font: 11px system-ui, sans-serif; }
svg .frame { fill: none; stroke: #999; } svg .grid { stroke: #e3e3e3; }
svg .shade { fill: #eee; } svg .chart-title { font-weight: 600; font-size: 13px; }
svg .axis { fill: var(--muted); } .charts { display: flex; flex-wrap: wrap; gap: 1rem; }
)css";

constexpr std::string_view script = R"js(
(function () {
  var root = document.documentElement;
  window.addEventListener('error', function () { root.setAttribute('data-script', 'error'); });
  var cases = Array.prototype.slice.call(document.querySelectorAll('details.case'));
  cases.forEach(function (c) { c.dataset.search = (c.dataset.search || '').toLowerCase(); });
  var box = document.getElementById('filter');
  var only = document.getElementById('problems-only');
  var shown = document.getElementById('shown');
  function apply() {
    var query = box ? box.value.toLowerCase() : '';
    var count = 0;
    cases.forEach(function (c) {
      var visible = (!only || !only.checked || c.dataset.problem === '1') &&
                    c.dataset.search.indexOf(query) >= 0;
      c.hidden = !visible;
      if (visible) { count++; }
    });
    if (shown) { shown.textContent = count + ' of ' + cases.length + ' cases shown'; }
  }
  if (box) { box.addEventListener('input', apply); }
  if (only) { only.addEventListener('change', apply); }
  apply();
  if (root.getAttribute('data-script') !== 'error') { root.setAttribute('data-script', 'ok'); }
})();
)js";

bool problem(Outcome outcome) {
    return outcome == Outcome::fail || outcome == Outcome::error;
}

struct Column {
    const RunResult* run;
    std::string label;
    Scores scores;
};

std::string counts_title(const Score& score) {
    return fmt::format("{} pass, {} fail, {} waived, {} skip, {} error", score.passed, score.failed,
                       score.waived, score.skipped, score.errored);
}

std::string score_cell(const detail::MatrixCell& cell) {
    if (!cell.present) {
        return "<td class=\"cell c-absent\">&mdash;</td>";
    }
    const Score& score = cell.score;
    const std::string value =
        score.applicable_weight > 0 ? detail::percent(score.ratio()) : std::string("n/a");
    return fmt::format("<td class=\"cell c-{}\" title=\"{}\">{}<small>{}/{} passed</small></td>",
                       detail::cell_kind(cell), counts_title(score), value, score.passed,
                       score.passed + score.failed + score.waived);
}

std::string column_heads(const std::vector<Column>& columns) {
    std::string out;
    for (const Column& column : columns) {
        out += "<th>" + html_text(column.label) + "</th>";
    }
    return out;
}

std::string status_notes(const RunResult& run) {
    std::string out;
    if (run.target_unreachable) {
        out += "<strong>target unreachable</strong> ";
    }
    if (run.interrupted) {
        out += "<strong>interrupted</strong> ";
    }
    if (!run.shard.empty()) {
        out += "shard " + html_text(run.shard);
    }
    return out.empty() ? "complete" : out;
}

std::string summary_section(const std::vector<Column>& columns, bool scores) {
    std::string out =
        "<section id=\"summary\"><h2>Summary</h2>\n<table class=\"summary\"><thead><tr><th></th>" +
        column_heads(columns) + "</tr></thead><tbody>\n";
    const auto row = [&](std::string_view name, std::string_view id, const auto& value,
                         const char* css = "num") {
        out += fmt::format("<tr><th>{}</th>", name);
        for (std::size_t i = 0; i < columns.size(); ++i) {
            out +=
                fmt::format("<td class=\"{}\" id=\"{}-{}\">{}</td>", css, id, i, value(columns[i]));
        }
        out += "</tr>\n";
    };
    if (scores) {
        row(
            "Score", "score",
            [](const Column& c) { return detail::percent(c.scores.overall.ratio()); }, "num big");
    }
    row("Pass", "pass", [](const Column& c) { return std::to_string(c.scores.overall.passed); });
    row("Fail", "fail", [](const Column& c) { return std::to_string(c.scores.overall.failed); });
    row("Waived", "waived",
        [](const Column& c) { return std::to_string(c.scores.overall.waived); });
    row("Skip", "skip", [](const Column& c) { return std::to_string(c.scores.overall.skipped); });
    row("Error", "error", [](const Column& c) { return std::to_string(c.scores.overall.errored); });
    row("Cases", "cases", [](const Column& c) { return std::to_string(c.run->cases.size()); });
    if (scores) {
        row("Duration", "duration",
            [](const Column& c) { return fmt::format("{:.1f} s", c.run->duration_ms / 1000.0); });
        row(
            "Started", "started", [](const Column& c) { return html_text(c.run->started_at); }, "");
        row(
            "mailharness", "tool", [](const Column& c) { return html_text(c.run->tool_version); },
            "");
        row(
            "SMTP", "smtp", [](const Column& c) { return html_text(c.run->target.smtp); }, "");
        row(
            "POP3", "pop3", [](const Column& c) { return html_text(c.run->target.pop3); }, "");
        row(
            "Status", "status", [](const Column& c) { return status_notes(*c.run); }, "");
    }
    return out + "</tbody></table></section>\n";
}

std::string matrix_table(const std::vector<Column>& columns,
                         const std::vector<detail::MatrixRow>& rows, std::string_view heading) {
    std::string out =
        fmt::format("<table class=\"matrix\"><thead><tr><th>{}</th>{}</tr></thead><tbody>\n",
                    heading, column_heads(columns));
    for (const detail::MatrixRow& row : rows) {
        const std::string name = row.spec.empty() ? "(no spec)" : row.spec;
        out += fmt::format("<tr data-severity=\"{}\"><th>{}</th>", row.severity,
                           html_text(row.ref.empty() ? name : name + " " + row.ref));
        for (const detail::MatrixCell& cell : row.cells) {
            out += score_cell(cell);
        }
        out += "</tr>\n";
    }
    return out + "</tbody></table>\n";
}

std::string compliance_section(const std::vector<RunResult>& runs,
                               const std::vector<Column>& columns) {
    return "<section id=\"compliance\"><h2>Compliance per RFC and section</h2>\n"
           "<p class=\"legend\"><span class=\"c-must\">a MUST failed</span><span "
           "class=\"c-error\">could not be checked</span><span class=\"c-partial\">SHOULD or "
           "MAY failed, or waived</span><span class=\"c-pass\">all passed</span><span "
           "class=\"c-na\">not applicable (skipped)</span></p>\n<h3>Per specification</h3>\n" +
           matrix_table(columns, detail::spec_rows(runs), "Spec") +
           "<h3>Per section, MUST failures first</h3>\n" +
           matrix_table(columns, detail::section_rows(runs), "Section") + "</section>\n";
}

std::string badge(Outcome outcome, std::string_view title) {
    return fmt::format("<span class=\"badge {}\" title=\"{}\">{}</span>", to_string(outcome),
                       html_text(title), detail::outcome_label(outcome));
}

// The failing exchange: from the last command sent to the end of the transcript (a case stops
// at its first failed step), or the last line when no command was sent.
std::size_t highlight_from(const CaseResult& result) {
    const auto& lines = result.transcript;
    if (!problem(result.outcome) || lines.empty()) {
        return lines.size();
    }
    for (std::size_t i = lines.size(); i-- > 0;) {
        if (lines[i].direction == TranscriptLine::Direction::client) {
            return i;
        }
    }
    return lines.size() - 1;
}

std::string transcript_block(const CaseResult& result) {
    const std::size_t from = highlight_from(result);
    std::string out = "<pre class=\"transcript\">";
    for (std::size_t i = 0; i < result.transcript.size(); ++i) {
        const TranscriptLine& line = result.transcript[i];
        const char* css = line.direction == TranscriptLine::Direction::client   ? "c"
                          : line.direction == TranscriptLine::Direction::server ? "s"
                                                                                : "n";
        out += fmt::format("<span class=\"t {}{}\" title=\"{:.1f} ms\">{}</span>", css,
                           i >= from ? " hl" : "", line.at_ms,
                           html_text(detail::transcript_line(line)));
    }
    return out + "</pre>\n";
}

std::string run_detail(const Column& column, const CaseResult* result, TranscriptScope scope) {
    if (result == nullptr) {
        return "<div class=\"run\"><h4>" + html_text(column.label) +
               "</h4><p class=\"muted\">not run</p></div>\n";
    }
    std::string out = fmt::format(
        "<div class=\"run\"><h4>{} {} <span class=\"muted\">{:.0f} ms</span></h4>\n",
        html_text(column.label), badge(result->outcome, column.label), result->duration_ms);
    if (const std::string why = detail::outcome_reason(*result); !why.empty()) {
        out += "<p class=\"why\">" + html_text(why) + "</p>\n";
    }
    if (!result->expected.empty() || !result->actual.empty()) {
        out += "<pre class=\"expect\">expected: " + html_text(result->expected) +
               "\nactual:   " + html_text(result->actual) + "</pre>\n";
    }
    if (result->failed_step) {
        out += fmt::format(
            "<p class=\"muted\">Failed at step {}; the failing exchange is "
            "highlighted.</p>\n",
            *result->failed_step + 1);
    }
    if (result->transcript.empty()) {
        out += "<p class=\"muted\">No transcript.</p>\n";
    } else if (scope == TranscriptScope::problems && result->outcome == Outcome::pass) {
        out += "<p class=\"muted\">Transcript left out (a passing case).</p>\n";
    } else {
        out += transcript_block(*result);
    }
    return out + "</div>\n";
}

std::string cases_section(const std::vector<RunResult>& runs, const std::vector<Column>& columns,
                          TranscriptScope scope) {
    const std::vector<detail::CaseRow> rows = detail::case_rows(runs);
    std::string out = fmt::format(
        "<section id=\"cases\"><h2>Cases</h2>\n<div class=\"filters\"><input type=\"search\" "
        "id=\"filter\" placeholder=\"Filter: case id, RFC, section, text\" aria-label=\"Filter "
        "cases\"><label><input type=\"checkbox\" id=\"problems-only\"> failures and errors "
        "only</label><span id=\"shown\" class=\"muted\">{} cases</span></div>\n",
        rows.size());
    for (const detail::CaseRow& row : rows) {
        const CaseResult& first = row.any();
        bool any_problem = false;
        std::string badges, search = row.full_id;
        for (std::size_t i = 0; i < columns.size(); ++i) {
            const CaseResult* result = row.results[i];
            if (result == nullptr) {
                badges += "<span class=\"badge absent\" title=\"" + html_text(columns[i].label) +
                          "\">&mdash;</span>";
                continue;
            }
            any_problem = any_problem || problem(result->outcome);
            badges += badge(result->outcome, columns[i].label);
            search += std::string(" ") + to_string(result->outcome) + " " + result->message;
        }
        search += " " + detail::spec_ref(first) + " " + first.title + " " + to_string(first.level);
        out += fmt::format(
            "<details class=\"case\" data-problem=\"{}\" data-search=\"{}\"><summary><span "
            "class=\"lvl\">{}</span><code>{}</code><span class=\"ref\">{}</span><span "
            "class=\"title\">{}</span><span class=\"badges\">{}</span></summary>\n<div "
            "class=\"runs\" style=\"--columns: {}\">\n",
            any_problem ? 1 : 0, html_text(search), to_string(first.level), html_text(row.full_id),
            html_text(detail::spec_ref(first)), html_text(first.title), badges, columns.size());
        for (std::size_t i = 0; i < columns.size(); ++i) {
            out += run_detail(columns[i], row.results[i], scope);
        }
        out += "</div></details>\n";
    }
    return out + "</section>\n";
}

std::string latency(double nanoseconds) {
    return bench::format_latency(static_cast<std::uint64_t>(nanoseconds));
}

std::string bench_section(const bench::Report& report, std::size_t index) {
    const std::string unit = report.unit.empty() ? "unit" : report.unit;
    std::string out = fmt::format(
        "<section class=\"bench\" id=\"bench-{}\"><h3>{} bench against {}</h3>\n<p><span "
        "class=\"big\" id=\"bench-rate-{}\">{:.1f}</span> {}s/s, {:.2f} MB/s: {} {}s in {:.1f} s "
        "after {:.1f} s of warm-up, <span id=\"bench-errors-{}\">{}</span> errors, {} "
        "process{}</p>\n",
        index, html_text(report.protocol), html_text(report.target), index, report.rate(),
        html_text(unit), report.megabytes_per_s(), report.stats.units, html_text(unit),
        report.measured_seconds, report.warmup_seconds, index, report.stats.error_count(),
        report.processes, report.processes == 1 ? "" : "es");

    // Latency percentiles: all units, then each command.
    std::vector<std::pair<std::string, const bench::Histogram*>> histograms{
        {"per " + unit, &report.stats.latency}};
    for (const auto& [command, histogram] : report.stats.commands) {
        histograms.emplace_back(command, &histogram);
    }
    std::vector<std::string> categories;
    for (const double p : bench::kReportedPercentiles) {
        categories.push_back(fmt::format("p{:g}", p));
    }
    categories.push_back("max");
    out += "<table class=\"latency\"><thead><tr><th>latency</th><th>count</th>";
    for (const std::string& category : categories) {
        out += "<th>" + category + "</th>";
    }
    out += "</tr></thead><tbody>\n";
    detail::Chart percentiles;
    percentiles.title = "Latency percentiles";
    percentiles.x.label = "percentile";
    percentiles.x.categories = categories;
    percentiles.y.label = "latency";
    percentiles.y.log = true;
    percentiles.y.format = latency;
    for (std::size_t i = 0; i < histograms.size(); ++i) {
        const auto& [name, histogram] = histograms[i];
        if (histogram->count() == 0) {
            continue;
        }
        detail::ChartSeries series;
        series.name = name;
        series.colour = palette[i % palette.size()];
        out += fmt::format("<tr><th>{}</th><td class=\"num\">{}</td>", html_text(name),
                           histogram->count());
        std::vector<std::uint64_t> values;
        for (const double p : bench::kReportedPercentiles) {
            values.push_back(histogram->percentile(p));
        }
        values.push_back(histogram->max());
        for (std::size_t k = 0; k < values.size(); ++k) {
            out += "<td class=\"num\">" + html_text(bench::format_latency(values[k])) + "</td>";
            series.points.emplace_back(static_cast<double>(k), static_cast<double>(values[k]));
        }
        out += "</tr>\n";
        percentiles.series.push_back(std::move(series));
    }
    out += "</tbody></table>\n<div class=\"charts\">\n";

    detail::Chart throughput;
    throughput.title = "Throughput over time";
    throughput.x.label = "seconds since the start";
    throughput.y.label = unit + "s per second";
    throughput.shaded_label = "warm-up";
    detail::ChartSeries done, failed;
    done.name = unit + "s/s";
    done.colour = palette[0];
    failed.name = "errors/s";
    failed.colour = palette[1];
    for (const bench::Sample& sample : report.timeline) {
        done.points.emplace_back(sample.t, static_cast<double>(sample.units));
        failed.points.emplace_back(sample.t, static_cast<double>(sample.errors));
    }
    throughput.series = {std::move(done), std::move(failed)};
    if (report.warmup_seconds > 0) {
        throughput.shaded_x = std::pair{0.0, report.warmup_seconds};
    }
    if (!report.timeline.empty()) {
        out += detail::svg_line_chart(throughput);
    }
    if (!percentiles.series.empty()) {
        out += detail::svg_line_chart(percentiles);
    }
    return out + "</div></section>\n";
}

}  // namespace

std::vector<std::string> run_labels(const std::vector<RunResult>& runs) {
    std::vector<std::string> labels;
    std::map<std::string, int> seen;
    for (const RunResult& run : runs) {
        const std::string name = run.target.name.empty() ? "target" : run.target.name;
        const int count = ++seen[name];
        labels.push_back(count == 1 ? name : fmt::format("{} #{}", name, count));
    }
    return labels;
}

std::string render_html(const std::vector<RunResult>& runs,
                        const std::vector<bench::Report>& benches, const HtmlOptions& options) {
    const std::vector<std::string> labels =
        options.labels.size() == runs.size() ? options.labels : run_labels(runs);
    std::vector<Column> columns;
    for (std::size_t i = 0; i < runs.size(); ++i) {
        columns.push_back(Column{&runs[i], labels[i], compute_scores(runs[i])});
    }

    std::string out = fmt::format(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<meta "
        "name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n"
        "<style>{}</style></head>\n<body>\n<header><h1>{}</h1>\n",
        html_text(options.title), style_sheet, html_text(options.title));
    if (!options.note.empty()) {
        out += "<p class=\"note\" id=\"note\">" + html_text(options.note) + "</p>\n";
    }
    if (!columns.empty() && options.scores) {
        std::string scores;
        for (const Column& column : columns) {
            scores += fmt::format("{}{}: <span class=\"big\">{}</span>",
                                  scores.empty() ? "" : " &middot; ", html_text(column.label),
                                  detail::percent(column.scores.overall.ratio()));
        }
        out += "<p class=\"overall\">Score " + scores + "</p>\n";
    }
    out += "</header>\n";
    if (!columns.empty()) {
        out += summary_section(columns, options.scores);
        if (options.scores) {
            out += compliance_section(runs, columns);
        }
        out += cases_section(runs, columns, options.transcripts);
    }
    if (!benches.empty()) {
        out += "<section id=\"benches\"><h2>Bench</h2>\n";
        for (std::size_t i = 0; i < benches.size(); ++i) {
            out += bench_section(benches[i], i);
        }
        out += "</section>\n";
    }
    std::string version = runs.empty() ? std::string() : runs.front().tool_version;
    out += "<footer class=\"muted\"><p>Written by mailharness " + html_text(version) +
           " (docs/reports.md).</p></footer>\n<script>" + std::string(script) +
           "</script>\n</body></html>\n";
    return out;
}

}  // namespace mh::harness::report
