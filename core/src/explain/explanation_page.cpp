// explanation_page: `adapt explain --html`. Self-contained (inline CSS and SVG, nothing fetched);
// every name taken from the data is escaped.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "adapt/explain/explain.h"
#include "adapt/report/plot.h"

namespace adapt {

namespace {

constexpr size_t kBars = 12;

double largest_effect(const std::vector<PartEffect>& parts) {
  double largest = 0;
  for (const auto& p : parts) largest = std::max(largest, std::abs(p.effect));
  return largest > 0 ? largest : 1.0;
}

// Red supports the prediction, blue opposes it; the stronger, the deeper.
std::string shade(double effect, double largest) {
  const double alpha = std::min(1.0, std::abs(effect) / largest) * 0.85;
  return effect >= 0 ? fmt::format("rgba(214,39,40,{:.3f})", alpha) : fmt::format("rgba(31,119,180,{:.3f})", alpha);
}

std::string shaded_parts(const Explanation& e, const std::string& input, double largest) {
  std::string html = "<p class=\"parts\">";
  for (const auto& p : e.parts) {
    if (p.input != input) continue;
    html += fmt::format("<span style=\"background:{};padding:1px 2px;border-radius:3px\" title=\"{:+.4f}\">{}</span> ",
                        shade(p.effect, largest),
                        p.effect, xml_escape(p.part));
  }
  return html + "</p>";
}

std::string bars(const std::vector<PartEffect>& parts, double largest) {
  const int row = 18, label = 260, half = 170;
  std::string svg = fmt::format("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\">",
                                label + 2 * half + 70, row * static_cast<int>(parts.size()) + 4);
  for (size_t i = 0; i < parts.size(); ++i) {
    const auto& p = parts[i];
    const int y = static_cast<int>(i) * row + 2, w = static_cast<int>(std::abs(p.effect) / largest * half);
    const int x = p.effect >= 0 ? label + half : label + half - w;
    std::string name = p.input + ": " + p.part;
    if (name.size() > 40) name = name.substr(0, 37) + "...";
    svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"12\">{}</text>", label - 6, y + 13,
                       xml_escape(name));
    svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"/>", x, y + 2, std::max(w, 1),
                       row - 5, p.effect >= 0 ? "#d62728" : "#1f77b4");
    svg += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"11\">{:+.4f}</text>", label + 2 * half + 6, y + 13,
                       p.effect);
  }
  svg += fmt::format("<line x1=\"{0}\" x2=\"{0}\" y1=\"0\" y2=\"{1}\" stroke=\"#333\"/></svg>", label + half,
                     row * static_cast<int>(parts.size()) + 4);
  return svg;
}

}  // namespace

std::string explanation_section(const Explanation& e, const std::string& label, const std::string& shown) {
  const double largest = largest_effect(e.parts);
  std::string html = fmt::format(
      "<section class=\"explanation\"><h3>{}</h3><p>prediction <code>{}</code>; explained: {} = {:.4f}</p>",
      xml_escape(label), xml_escape(e.prediction.dump(-1, ' ', false, json::error_handler_t::replace)),
      xml_escape(e.explained), e.score);
  if (!shown.empty()) html += "<div class=\"shown\">" + shown + "</div>";
  if (!e.inputs.empty()) html += "<h4>whole inputs marked missing</h4>" + bars(e.inputs, largest_effect(e.inputs));
  std::vector<std::string> inputs;
  for (const auto& p : e.parts)
    if (std::find(inputs.begin(), inputs.end(), p.input) == inputs.end()) inputs.push_back(p.input);
  for (const auto& input : inputs) html += "<h4>" + xml_escape(input) + "</h4>" + shaded_parts(e, input, largest);
  if (!e.parts.empty()) html += "<h4>strongest parts</h4>" + bars(strongest(e.parts, kBars), largest);
  return html + "</section>";
}

std::string explanation_page(const std::vector<Explanation>& explanations, const std::vector<std::string>& labels) {
  std::string html =
      "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>adapt explain</title><style>"
      "body{font-family:sans-serif;margin:2em;max-width:70em}.explanation{border-top:1px solid #ccc;margin-top:1.5em}"
      ".parts{line-height:1.9}code{background:#f4f4f4}"
      "</style></head><body><h1>adapt explain</h1><p>Each part's effect is the explained score with every part "
      "present minus the score with that part taken out (occlusion): <span style=\"color:#d62728\">red</span> "
      "supports the prediction, <span style=\"color:#1f77b4\">blue</span> opposes it. Hover a part for its "
      "effect.</p>";
  for (size_t i = 0; i < explanations.size(); ++i)
    html += explanation_section(explanations[i], i < labels.size() ? labels[i] : "record " + std::to_string(i));
  return html + "</body></html>\n";
}

}  // namespace adapt
