#pragma once
// Line charts as inline SVG for the HTML report (bench throughput over time, latency
// percentiles): no script and no external resource, so the page stays one self-contained file.

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mh::harness::report::detail {

struct ChartSeries {
    std::string name;
    std::string colour;                             // CSS colour
    std::vector<std::pair<double, double>> points;  // (x, y), x ascending
};

struct ChartAxis {
    std::string label;
    bool log = false;  // log10 scale; values <= 0 are left out
    // Categorical x axis: point i sits at x = i and is labelled categories[i].
    std::vector<std::string> categories;
    std::function<std::string(double)> format;  // tick labels; default: a short number
};

struct Chart {
    std::string title;
    ChartAxis x, y;
    std::vector<ChartSeries> series;
    std::optional<std::pair<double, double>> shaded_x;  // e.g. the warm-up interval
    std::string shaded_label;
};

// An <svg> element (with a <title> and a legend); text is escaped.
std::string svg_line_chart(const Chart& chart);

}  // namespace mh::harness::report::detail
