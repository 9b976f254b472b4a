#include "harness/report/detail/svg_chart.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "harness/report/detail/presentation.hpp"

namespace mh::harness::report::detail {

namespace {

constexpr double width = 640, height = 300;
constexpr double left = 72, right = 16, top = 28, bottom = 64;
constexpr double plot_width = width - left - right, plot_height = height - top - bottom;
constexpr std::size_t max_markers = 60;  // beyond this a series is drawn as a line only

struct Scale {
    double low = 0, high = 1;
    bool log = false;

    double unit(double value) const {  // 0..1 within the axis
        const double v = log ? std::log10(value) : value;
        return high > low ? (v - low) / (high - low) : 0.5;
    }
};

std::string short_number(double value) {
    if (std::abs(value) >= 1e6) {
        return fmt::format("{:g}M", value / 1e6);
    }
    if (std::abs(value) >= 1e4) {
        return fmt::format("{:g}k", value / 1e3);
    }
    return fmt::format("{:g}", value);
}

// Ticks 1, 2 or 5 times a power of ten apart, about five of them, covering [low, high].
std::vector<double> linear_ticks(Scale& scale) {
    const double range = scale.high - scale.low > 0 ? scale.high - scale.low : 1.0;
    const double rough = range / 5;
    const double power = std::pow(10.0, std::floor(std::log10(rough)));
    double step = power;
    for (const double factor : {1.0, 2.0, 5.0, 10.0}) {
        step = factor * power;
        if (step >= rough) {
            break;
        }
    }
    scale.low = std::floor(scale.low / step) * step;
    scale.high = std::max(std::ceil(scale.high / step) * step, scale.low + step);
    std::vector<double> ticks;
    for (double tick = scale.low; tick <= scale.high + step / 2; tick += step) {
        ticks.push_back(std::abs(tick) < step / 1e9 ? 0.0 : tick);
    }
    return ticks;
}

// Powers of ten covering [low, high] (exponents, since a log scale works on them).
std::vector<double> log_ticks(Scale& scale) {
    scale.low = std::floor(scale.low);
    scale.high = std::max(std::ceil(scale.high), scale.low + 1);
    std::vector<double> ticks;
    for (double exponent = scale.low; exponent <= scale.high; ++exponent) {
        ticks.push_back(std::pow(10.0, exponent));
    }
    return ticks;
}

Scale value_scale(const ChartAxis& axis, const std::vector<double>& values) {
    Scale scale;
    scale.log = axis.log;
    bool first = true;
    for (const double value : values) {
        if (axis.log && value <= 0) {
            continue;
        }
        const double v = axis.log ? std::log10(value) : value;
        scale.low = first ? v : std::min(scale.low, v);
        scale.high = first ? v : std::max(scale.high, v);
        first = false;
    }
    if (!axis.log) {
        scale.low = std::min(scale.low, 0.0);  // amounts read best from zero
    }
    return scale;
}

bool drawable(const ChartAxis& axis, double value) {
    return !axis.log || value > 0;
}

}  // namespace

std::string svg_line_chart(const Chart& chart) {
    std::vector<double> xs, ys;
    for (const ChartSeries& series : chart.series) {
        for (const auto& [x, y] : series.points) {
            xs.push_back(x);
            ys.push_back(y);
        }
    }
    const bool categorical = !chart.x.categories.empty();
    Scale x_scale = value_scale(chart.x, xs);
    if (categorical) {
        x_scale = Scale{-0.5, static_cast<double>(chart.x.categories.size()) - 0.5, false};
    }
    Scale y_scale = value_scale(chart.y, ys);
    const std::vector<double> x_ticks =
        categorical ? std::vector<double>{}
                    : (chart.x.log ? log_ticks(x_scale) : linear_ticks(x_scale));
    const std::vector<double> y_ticks = chart.y.log ? log_ticks(y_scale) : linear_ticks(y_scale);
    const auto px = [&](double x) { return left + x_scale.unit(x) * plot_width; };
    const auto py = [&](double y) { return top + (1 - y_scale.unit(y)) * plot_height; };
    const auto label = [](const ChartAxis& axis, double value) {
        return html_text(axis.format ? axis.format(value) : short_number(value));
    };

    std::string out = fmt::format(
        "<svg class=\"chart\" viewBox=\"0 0 {} {}\" "
        "role=\"img\"><title>{}</title>\n",
        width, height, html_text(chart.title));
    out += fmt::format("<text x=\"{}\" y=\"18\" class=\"chart-title\">{}</text>\n", left,
                       html_text(chart.title));
    if (chart.shaded_x && !categorical) {
        const double x0 = px(std::max(chart.shaded_x->first, x_scale.low));
        const double x1 = px(std::min(chart.shaded_x->second, x_scale.high));
        if (x1 > x0) {
            out += fmt::format(
                "<rect class=\"shade\" x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" height=\"{}\"/>"
                "<text class=\"tick\" x=\"{:.1f}\" y=\"{}\">{}</text>\n",
                x0, top, x1 - x0, plot_height, x0 + 4, top + 12, html_text(chart.shaded_label));
        }
    }
    for (const double tick : y_ticks) {
        const double y = py(tick);
        out += fmt::format(
            "<line class=\"grid\" x1=\"{}\" x2=\"{}\" y1=\"{:.1f}\" y2=\"{:.1f}\"/>"
            "<text class=\"tick\" x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n",
            left, left + plot_width, y, y, left - 6, y + 4, label(chart.y, tick));
    }
    const auto x_tick = [&](double x, const std::string& text) {
        out += fmt::format(
            "<text class=\"tick\" x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", px(x),
            top + plot_height + 16, text);
    };
    if (categorical) {
        for (std::size_t i = 0; i < chart.x.categories.size(); ++i) {
            x_tick(static_cast<double>(i), html_text(chart.x.categories[i]));
        }
    } else {
        for (const double tick : x_ticks) {
            x_tick(tick, label(chart.x, tick));
        }
    }
    out += fmt::format(
        "<rect class=\"frame\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>\n"
        "<text class=\"axis\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n"
        "<text class=\"axis\" transform=\"translate(14 {}) rotate(-90)\" "
        "text-anchor=\"middle\">{}</text>\n",
        left, top, plot_width, plot_height, left + plot_width / 2, top + plot_height + 34,
        html_text(chart.x.label), top + plot_height / 2, html_text(chart.y.label));

    double legend_x = left;
    for (const ChartSeries& series : chart.series) {
        std::string points;
        std::string markers;
        for (const auto& [x, y] : series.points) {
            if (!drawable(chart.x, x) || !drawable(chart.y, y)) {
                continue;
            }
            points += fmt::format("{:.1f},{:.1f} ", px(x), py(y));
            if (series.points.size() <= max_markers) {
                markers +=
                    fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3\"/>", px(x), py(y));
            }
        }
        out += fmt::format(
            "<g class=\"series\" stroke=\"{0}\" fill=\"{0}\"><polyline fill=\"none\" "
            "stroke-width=\"2\" points=\"{1}\"/>{2}</g>\n",
            html_text(series.colour), points, markers);
        out += fmt::format(
            "<rect x=\"{:.1f}\" y=\"{}\" width=\"12\" height=\"4\" fill=\"{}\"/>"
            "<text class=\"tick\" x=\"{:.1f}\" y=\"{}\">{}</text>\n",
            legend_x, height - 12, html_text(series.colour), legend_x + 16, height - 7,
            html_text(series.name));
        legend_x += 24 + 7.0 * static_cast<double>(series.name.size());
    }
    return out + "</svg>\n";
}

}  // namespace mh::harness::report::detail
