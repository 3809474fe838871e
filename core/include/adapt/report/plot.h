#pragma once
// Dependency-free SVG plots for run reports: training curves, lr_find, confusion matrices and bars.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "adapt/common/error.h"

namespace adapt {

struct PlotSeries {
  std::string name;
  std::vector<double> x, y;  // same length; non-finite points are skipped
};

// A horizontal line at y (a baseline's score), dashed in the colour of the series it belongs to.
struct ReferenceLine {
  std::string name;
  double y = 0;
  size_t series = 0;  // index of the series whose colour it takes
};

struct LinePlotOptions {
  std::string title, x_label, y_label;
  bool log_x = false;  // e.g. lr_find (x values must then be > 0; others are skipped)
  bool log_y = false;
  int width = 720, height = 440;
  std::optional<double> marker_x;  // a vertical marker, e.g. the suggested learning rate
  std::string marker_label;
  std::vector<ReferenceLine> reference_lines;  // dashed horizontal lines, e.g. the baselines' scores
};

// Several named series on shared axes, with ticks and a legend. Throws adapt::Error when a series'
// x and y sizes differ.
ADAPT_API std::string line_plot_svg(const std::vector<PlotSeries>& series, const LinePlotOptions& options = {});
ADAPT_API void write_line_plot(const std::filesystem::path& path, const std::vector<PlotSeries>& series,
                               const LinePlotOptions& options = {});

// Heatmap of counts (rows actual, columns predicted) with class labels and the count in each cell;
// colour is the row-normalised fraction. Throws adapt::Error when the matrix is not square or the
// labels do not match its size.
ADAPT_API std::string confusion_matrix_svg(const std::vector<std::vector<int64_t>>& counts,
                                           const std::vector<std::string>& classes, const std::string& title = "");
ADAPT_API void write_confusion_matrix_plot(const std::filesystem::path& path,
                                           const std::vector<std::vector<int64_t>>& counts,
                                           const std::vector<std::string>& classes, const std::string& title = "");

// Horizontal bars, one per label in the given order, each with its value written beside it (per-slice
// metrics, worst first). Non-finite values get no bar. Throws adapt::Error when the sizes differ.
ADAPT_API std::string bar_plot_svg(const std::vector<std::string>& labels, const std::vector<double>& values,
                                   const std::string& title = "", const std::string& value_label = "");
ADAPT_API void write_bar_plot(const std::filesystem::path& path, const std::vector<std::string>& labels,
                              const std::vector<double>& values, const std::string& title = "",
                              const std::string& value_label = "");

// Escapes &, <, >, " and ' for SVG text and attributes.
ADAPT_API std::string xml_escape(const std::string& text);

}  // namespace adapt
