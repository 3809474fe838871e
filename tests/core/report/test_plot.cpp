// SVG plots: well-formed XML structure, escaping, series and cells present.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <unistd.h>

#include "adapt/report/plot.h"

namespace {

// Checks that tags nest properly; returns the number of elements named `count_name`.
int check_well_formed(const std::string& svg, const std::string& count_name) {
  std::vector<std::string> stack;
  int counted = 0;
  size_t pos = 0;
  while ((pos = svg.find('<', pos)) != std::string::npos) {
    const size_t end = svg.find('>', pos);
    EXPECT_NE(end, std::string::npos);
    if (end == std::string::npos) break;
    std::string tag = svg.substr(pos + 1, end - pos - 1);
    pos = end + 1;
    if (tag.empty() || tag[0] == '?' || tag[0] == '!') continue;
    EXPECT_EQ(tag.find('<'), std::string::npos) << "unescaped '<' inside a tag: " << tag;
    if (tag[0] == '/') {
      EXPECT_FALSE(stack.empty()) << "closing " << tag << " without an open element";
      if (stack.empty()) return -1;
      EXPECT_EQ(stack.back(), tag.substr(1));
      stack.pop_back();
      continue;
    }
    const std::string name = tag.substr(0, tag.find_first_of(" \t\n/"));
    if (name == count_name) ++counted;
    if (tag.back() != '/') stack.push_back(name);
  }
  EXPECT_TRUE(stack.empty()) << "unclosed elements, first: " << (stack.empty() ? "" : stack.front());
  return counted;
}

TEST(PlotTest, LinePlotIsWellFormedWithOnePolylinePerSeries) {
  adapt::PlotSeries train{"train <loss>", {1, 2, 3, 4}, {1.0, 0.7, 0.5, 0.45}};
  adapt::PlotSeries valid{"valid & loss", {1, 2, 3, 4}, {1.1, 0.8, 0.65, 0.6}};
  adapt::LinePlotOptions o;
  o.title = "losses";
  o.x_label = "epoch";
  const std::string svg = adapt::line_plot_svg({train, valid}, o);
  EXPECT_EQ(svg.rfind("<?xml", 0), 0u);
  EXPECT_NE(svg.find("xmlns=\"http://www.w3.org/2000/svg\""), std::string::npos);
  EXPECT_EQ(check_well_formed(svg, "polyline"), 2);
  EXPECT_NE(svg.find("train &lt;loss&gt;"), std::string::npos);
  EXPECT_NE(svg.find("valid &amp; loss"), std::string::npos);
  EXPECT_EQ(svg.find("nan"), std::string::npos);
  EXPECT_THROW(adapt::line_plot_svg({{"bad", {1, 2}, {1}}}), adapt::Error);
}

TEST(PlotTest, ReferenceLinesAreDashedLabelledAndInRange) {
  adapt::PlotSeries accuracy{"accuracy", {1, 2, 3}, {0.80, 0.85, 0.90}};
  adapt::LinePlotOptions o;
  o.reference_lines = {{"accuracy: core.majority", 0.30, 0}, {"accuracy: <stats>", 0.88, 0}};
  const std::string svg = adapt::line_plot_svg({accuracy}, o);
  EXPECT_EQ(check_well_formed(svg, "polyline"), 1);
  // Each reference: the dashed line across the plot and its legend swatch.
  size_t dashed = 0;
  for (size_t at = svg.find("stroke-dasharray=\"6,4\""); at != std::string::npos;
       at = svg.find("stroke-dasharray=\"6,4\"", at + 1))
    ++dashed;
  EXPECT_EQ(dashed, 4u);
  EXPECT_NE(svg.find("accuracy: core.majority"), std::string::npos);
  EXPECT_NE(svg.find("accuracy: &lt;stats&gt;"), std::string::npos);
  // The axis reaches down to the baseline at 0.30, far below the curve (ticks 0.4, 0.6, 0.8).
  EXPECT_NE(svg.find(">0.4<"), std::string::npos) << svg;
  EXPECT_EQ(adapt::line_plot_svg({accuracy}).find(">0.4<"), std::string::npos);
}

TEST(PlotTest, LogAxisSkipsNonPositiveAndBreaksAtNan) {
  adapt::PlotSeries lr{"loss", {1e-7, 1e-5, 0.0, 1e-3, 1e-2, 1e-1}, {2.0, 1.9, 1.0, std::nan(""), 1.2, 3.0}};
  adapt::LinePlotOptions o;
  o.log_x = true;
  o.marker_x = 1e-3;
  o.marker_label = "valley";
  const std::string svg = adapt::line_plot_svg({lr}, o);
  // Points 0-1 and 4-5 form two runs; x = 0 and the NaN are skipped.
  EXPECT_EQ(check_well_formed(svg, "polyline"), 2);
  EXPECT_NE(svg.find("1e-05"), std::string::npos) << "log ticks are powers of ten";
  EXPECT_NE(svg.find("valley"), std::string::npos);
  EXPECT_EQ(svg.find("nan"), std::string::npos);
  EXPECT_EQ(svg.find("inf"), std::string::npos);
}

TEST(PlotTest, ConfusionMatrixHeatmap) {
  const std::string svg =
      adapt::confusion_matrix_svg({{5, 1, 0}, {2, 7, 1}, {0, 0, 9}}, {"cat", "dog", "b<i>rd"}, "valid");
  EXPECT_EQ(check_well_formed(svg, "rect"), 1 + 9);  // background + cells
  EXPECT_NE(svg.find(">7</text>"), std::string::npos);
  EXPECT_NE(svg.find("b&lt;i&gt;rd"), std::string::npos);
  EXPECT_THROW(adapt::confusion_matrix_svg({{1, 2}, {3}}, {"a", "b"}), adapt::Error);
  EXPECT_THROW(adapt::confusion_matrix_svg({{1}}, {"a", "b"}), adapt::Error);
}

TEST(PlotTest, WritesFiles) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("adapt_plot_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  adapt::write_line_plot(dir / "loss.svg", {{"train", {0, 1}, {1, 0.5}}});
  adapt::write_confusion_matrix_plot(dir / "cm.svg", {{1, 0}, {0, 1}}, {"a", "b"});
  std::ifstream in(dir / "loss.svg");
  std::stringstream s;
  s << in.rdbuf();
  EXPECT_EQ(s.str(), adapt::line_plot_svg({{"train", {0, 1}, {1, 0.5}}}));
  EXPECT_TRUE(fs::exists(dir / "cm.svg"));
  fs::remove_all(dir);
}

}  // namespace
