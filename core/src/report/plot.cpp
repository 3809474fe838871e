#include "adapt/report/plot.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "adapt/common/atomic_file.h"

namespace adapt {
namespace {

const char* const palette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                               "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

struct Axis {
  double lo = 0, hi = 1;
  bool log = false;
  double map(double v) const { return log ? std::log10(v) : v; }
};

// "Nice" tick positions (in mapped units) covering [lo, hi].
std::vector<double> ticks(const Axis& a) {
  std::vector<double> out;
  if (a.log) {
    for (double t = std::ceil(a.lo - 1e-9); t <= a.hi + 1e-9; t += 1) out.push_back(t);
    if (out.size() >= 2) return out;
  }
  const double span = a.hi - a.lo;
  const double raw = span / 5;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (raw <= m * mag) {
      step = m * mag;
      break;
    }
  for (double t = std::ceil(a.lo / step - 1e-9) * step; t <= a.hi + step * 1e-9; t += step)
    out.push_back(std::abs(t) < step * 1e-9 ? 0.0 : t);
  return out;
}

std::string tick_label(double mapped, bool log) {
  if (log) return fmt::format("{:g}", std::pow(10.0, mapped));
  return fmt::format("{:.4g}", mapped);
}

bool usable(double v, bool log) { return std::isfinite(v) && (!log || v > 0); }

}  // namespace

std::string xml_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += ch;
    }
  return out;
}

namespace {

// The opening of every plot: the XML prolog, the svg element, a white background and the title
// centred on `title_x`.
std::string svg_open(double width, double height, const std::string& title, double title_x) {
  std::string svg = fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0:.0f}\" height=\"{1:.0f}\" viewBox=\"0 0 {0:.0f} {1:.0f}\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n"
      "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n",
      width, height);
  if (!title.empty())
    svg += fmt::format("<text x=\"{:.1f}\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">{}</text>\n", title_x,
                       xml_escape(title));
  return svg;
}

}  // namespace

std::string line_plot_svg(const std::vector<PlotSeries>& series, const LinePlotOptions& o) {
  for (const auto& s : series)
    if (s.x.size() != s.y.size())
      throw Error(fmt::format("line plot: series '{}' has {} x values but {} y values", s.name, s.x.size(), s.y.size()));
  Axis xa{std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(), o.log_x};
  Axis ya{xa.lo, xa.hi, o.log_y};
  for (const auto& s : series)
    for (size_t i = 0; i < s.x.size(); ++i)
      if (usable(s.x[i], o.log_x) && usable(s.y[i], o.log_y)) {
        xa.lo = std::min(xa.lo, xa.map(s.x[i]));
        xa.hi = std::max(xa.hi, xa.map(s.x[i]));
        ya.lo = std::min(ya.lo, ya.map(s.y[i]));
        ya.hi = std::max(ya.hi, ya.map(s.y[i]));
      }
  for (const auto& r : o.reference_lines)  // a baseline far from the curves still shows
    if (usable(r.y, o.log_y)) ya.lo = std::min(ya.lo, ya.map(r.y)), ya.hi = std::max(ya.hi, ya.map(r.y));
  if (!(xa.lo <= xa.hi)) xa.lo = 0, xa.hi = 1;  // nothing plottable: empty axes
  if (!(ya.lo <= ya.hi)) ya.lo = 0, ya.hi = 1;
  if (xa.hi - xa.lo < 1e-12) xa.lo -= 0.5, xa.hi += 0.5;
  if (ya.hi - ya.lo < 1e-12) ya.lo -= 0.5, ya.hi += 0.5;
  const double pad = (ya.hi - ya.lo) * 0.05;
  ya.lo -= pad;
  ya.hi += pad;

  const double left = 70, right = 160, top = o.title.empty() ? 20 : 40, bottom = 55;
  const double pw = std::max(10.0, o.width - left - right), ph = std::max(10.0, o.height - top - bottom);
  auto px = [&](double v) { return left + (xa.map(v) - xa.lo) / (xa.hi - xa.lo) * pw; };
  auto py = [&](double v) { return top + ph - (ya.map(v) - ya.lo) / (ya.hi - ya.lo) * ph; };

  std::string svg = svg_open(o.width, o.height, o.title, left + pw / 2);
  // Grid and ticks.
  for (double t : ticks(xa)) {
    const double x = left + (t - xa.lo) / (xa.hi - xa.lo) * pw;
    svg += fmt::format("<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\" stroke=\"#e0e0e0\"/>\n", x,
                       top, top + ph);
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n", x, top + ph + 16,
                       xml_escape(tick_label(t, xa.log)));
  }
  for (double t : ticks(ya)) {
    const double y = top + ph - (t - ya.lo) / (ya.hi - ya.lo) * ph;
    svg += fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#e0e0e0\"/>\n", left, y,
                       left + pw, y);
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n", left - 6, y + 4,
                       xml_escape(tick_label(t, ya.log)));
  }
  svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"none\" stroke=\"black\"/>\n",
                     left, top, pw, ph);
  if (!o.x_label.empty())
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n", left + pw / 2,
                       top + ph + 40, xml_escape(o.x_label));
  if (!o.y_label.empty())
    svg += fmt::format("<text x=\"16\" y=\"{0:.1f}\" text-anchor=\"middle\" transform=\"rotate(-90 16 {0:.1f})\">{1}"
                       "</text>\n",
                       top + ph / 2, xml_escape(o.y_label));
  // Series: one polyline per run of plottable points.
  for (size_t s = 0; s < series.size(); ++s) {
    const char* colour = palette[s % (sizeof(palette) / sizeof(palette[0]))];
    std::string points;
    auto flush = [&] {
      if (points.empty()) return;
      svg += fmt::format("<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"2\" points=\"{}\"/>\n", colour, points);
      points.clear();
    };
    const auto& sr = series[s];
    size_t n_points = 0;
    for (size_t i = 0; i < sr.x.size(); ++i) {
      if (!usable(sr.x[i], o.log_x) || !usable(sr.y[i], o.log_y)) {
        flush();
        continue;
      }
      points += fmt::format("{}{:.1f},{:.1f}", points.empty() ? "" : " ", px(sr.x[i]), py(sr.y[i]));
      ++n_points;
    }
    if (n_points == 1)  // a single point draws no line: mark it
      for (size_t i = 0; i < sr.x.size(); ++i)
        if (usable(sr.x[i], o.log_x) && usable(sr.y[i], o.log_y))
          svg += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3\" fill=\"{}\"/>\n", px(sr.x[i]), py(sr.y[i]),
                             colour);
    flush();
    const double ly = top + 10 + 18 * static_cast<double>(s);
    svg += fmt::format("<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{2:.1f}\" y2=\"{1:.1f}\" stroke=\"{3}\" "
                       "stroke-width=\"2\"/>\n<text x=\"{4:.1f}\" y=\"{5:.1f}\">{6}</text>\n",
                       left + pw + 12, ly, left + pw + 36, colour, left + pw + 42, ly + 4, xml_escape(sr.name));
  }
  for (size_t r = 0; r < o.reference_lines.size(); ++r) {
    const ReferenceLine& line = o.reference_lines[r];
    if (!usable(line.y, o.log_y)) continue;
    const char* colour = palette[line.series % (sizeof(palette) / sizeof(palette[0]))];
    const double y = py(line.y), ly = top + 10 + 18 * static_cast<double>(series.size() + r);
    svg += fmt::format(
        "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"{}\" "
        "stroke-width=\"1.5\" stroke-dasharray=\"6,4\"/>\n",
        left, y, left + pw, y, colour);
    svg += fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{2:.1f}\" y2=\"{1:.1f}\" stroke=\"{3}\" "
        "stroke-width=\"1.5\" stroke-dasharray=\"6,4\"/>\n<text x=\"{4:.1f}\" y=\"{5:.1f}\">{6}</text>\n",
        left + pw + 12, ly, left + pw + 36, colour, left + pw + 42, ly + 4, xml_escape(line.name));
  }
  if (o.marker_x && usable(*o.marker_x, o.log_x)) {
    const double x = px(*o.marker_x);
    svg += fmt::format("<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\" stroke=\"#d62728\" "
                       "stroke-dasharray=\"5,4\"/>\n",
                       x, top, top + ph);
    if (!o.marker_label.empty())
      svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" fill=\"#d62728\">{}</text>\n", x + 4, top + 14,
                         xml_escape(o.marker_label));
  }
  svg += "</svg>\n";
  return svg;
}

void write_line_plot(const std::filesystem::path& path, const std::vector<PlotSeries>& series,
                     const LinePlotOptions& options) {
  write_text_atomically(path, line_plot_svg(series, options));
}

std::string confusion_matrix_svg(const std::vector<std::vector<int64_t>>& counts,
                                 const std::vector<std::string>& classes, const std::string& title) {
  const size_t n = counts.size();
  for (size_t i = 0; i < n; ++i)
    if (counts[i].size() != n)
      throw Error(fmt::format("confusion matrix plot: row {} has {} counts; the matrix must be {} x {}", i,
                              counts[i].size(), n, n));
  if (classes.size() != n)
    throw Error(fmt::format("confusion matrix plot: {} class labels for a {} x {} matrix", classes.size(), n, n));
  size_t longest = 1;
  for (const auto& c : classes) longest = std::max(longest, c.size());
  const double cell = n <= 12 ? 44 : std::max(14.0, 528.0 / static_cast<double>(n));
  const double label = std::min<double>(220, 7.0 * static_cast<double>(longest) + 16);
  const double left = label + 30, top = label + (title.empty() ? 20 : 44);
  const double width = left + cell * static_cast<double>(n) + 20, height = top + cell * static_cast<double>(n) + 40;
  const double font = std::min(12.0, cell * 0.38);
  std::string svg = svg_open(width, height, title, width / 2);
  svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">predicted</text>\n",
                     left + cell * static_cast<double>(n) / 2, top - label - 4);
  svg += fmt::format("<text x=\"12\" y=\"{0:.1f}\" text-anchor=\"middle\" transform=\"rotate(-90 12 {0:.1f})\">"
                     "actual</text>\n",
                     top + cell * static_cast<double>(n) / 2);
  for (size_t i = 0; i < n; ++i) {
    int64_t row_total = 0;
    for (int64_t v : counts[i]) row_total += v;
    const double y = top + cell * static_cast<double>(i);
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\" font-size=\"{:.1f}\">{}</text>\n",
                       left - 6, y + cell / 2 + font / 3, font, xml_escape(classes[i]));
    const double x_label = left + cell * static_cast<double>(i) + cell / 2;
    svg += fmt::format("<text x=\"{0:.1f}\" y=\"{1:.1f}\" font-size=\"{2:.1f}\" transform=\"rotate(-60 {0:.1f} "
                       "{1:.1f})\">{3}</text>\n",
                       x_label, top - 6, font, xml_escape(classes[i]));
    for (size_t j = 0; j < n; ++j) {
      const double frac = row_total > 0 ? static_cast<double>(counts[i][j]) / static_cast<double>(row_total) : 0.0;
      // White -> dark blue (#08306b).
      const int r = static_cast<int>(std::lround(255 + frac * (8 - 255)));
      const int g = static_cast<int>(std::lround(255 + frac * (48 - 255)));
      const int b = static_cast<int>(std::lround(255 + frac * (107 - 255)));
      const double x = left + cell * static_cast<double>(j);
      svg += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" "
                         "fill=\"rgb({},{},{})\" stroke=\"#cccccc\"><title>{} as {}: {}</title></rect>\n",
                         x, y, cell, cell, r, g, b, xml_escape(classes[i]), xml_escape(classes[j]), counts[i][j]);
      if (cell >= 18)
        svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\" font-size=\"{:.1f}\" "
                           "fill=\"{}\">{}</text>\n",
                           x + cell / 2, y + cell / 2 + font / 3, font, frac > 0.5 ? "white" : "black", counts[i][j]);
    }
  }
  svg += "</svg>\n";
  return svg;
}

void write_confusion_matrix_plot(const std::filesystem::path& path, const std::vector<std::vector<int64_t>>& counts,
                                 const std::vector<std::string>& classes, const std::string& title) {
  write_text_atomically(path, confusion_matrix_svg(counts, classes, title));
}

std::string bar_plot_svg(const std::vector<std::string>& labels, const std::vector<double>& values,
                         const std::string& title, const std::string& value_label) {
  if (labels.size() != values.size())
    throw Error(fmt::format("bar plot: {} labels for {} values", labels.size(), values.size()));
  double lo = 0, hi = 0;  // bars start at 0, so negative values (MCC, R2) extend left
  for (double v : values)
    if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  if (hi - lo < 1e-12) hi = lo + 1;
  size_t longest = 1;
  for (const auto& l : labels) longest = std::max(longest, std::min<size_t>(l.size(), 40));
  const double label_w = 7.0 * static_cast<double>(longest) + 16, bar_h = 22, plot_w = 420;
  const double top = title.empty() ? 16 : 40, left = label_w + 10;
  const double width = left + plot_w + 80, height = top + bar_h * static_cast<double>(labels.size()) + 40;
  auto px = [&](double v) { return left + (v - lo) / (hi - lo) * plot_w; };
  std::string svg = svg_open(width, height, title, width / 2);
  for (size_t i = 0; i < labels.size(); ++i) {
    const double y = top + bar_h * static_cast<double>(i);
    const std::string label = labels[i].size() > 40 ? labels[i].substr(0, 37) + "..." : labels[i];
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n", left - 6, y + 15,
                       xml_escape(label));
    if (!std::isfinite(values[i])) continue;
    const double a = px(std::min(0.0, values[i])), b = px(std::max(0.0, values[i]));
    svg += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"#4878a8\"/>\n", a,
                       y + 3, std::max(1.0, b - a), bar_h - 6);
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\">{:.4f}</text>\n", b + 4, y + 15, values[i]);
  }
  svg += fmt::format("<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\" stroke=\"black\"/>\n", px(0),
                     top, top + bar_h * static_cast<double>(labels.size()));
  if (!value_label.empty())
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n", left + plot_w / 2,
                       height - 12, xml_escape(value_label));
  return svg + "</svg>\n";
}

void write_bar_plot(const std::filesystem::path& path, const std::vector<std::string>& labels,
                    const std::vector<double>& values, const std::string& title, const std::string& value_label) {
  write_text_atomically(path, bar_plot_svg(labels, values, title, value_label));
}

}  // namespace adapt
