#include "adapt/report/slices.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>

#include "adapt/data/csv_writer.h"
#include "adapt/report/plot.h"

namespace adapt {
namespace {

std::string cell(const json& v) { return v.is_number() ? fmt::format("{:.4f}", v.get<double>()) : "-"; }
bool defined(const json& row, const std::string& key) { return row.contains(key) && row[key].is_number(); }

}  // namespace

std::vector<json> score_slices(const torch::Tensor& outputs, const torch::Tensor& targets,
                               const std::vector<std::string>& values, const SliceMetrics& make_metrics,
                               const std::string& key, bool higher) {
  if (static_cast<int64_t>(values.size()) != outputs.size(0))
    throw Error(fmt::format("slices: {} column values for {} predictions", values.size(), outputs.size(0)));
  std::map<std::string, std::vector<int64_t>> groups;
  for (size_t i = 0; i < values.size(); ++i) groups[values[i]].push_back(static_cast<int64_t>(i));
  std::vector<json> rows;
  for (const auto& [value, picked] : groups) {
    const torch::Tensor index = torch::tensor(picked, torch::kLong);
    json row = {{"value", value}, {"rows", picked.size()}};
    for (auto& m : make_metrics()) {
      m->reset();
      m->accumulate(outputs.index_select(0, index), targets.index_select(0, index));
      const double v = m->value();
      row[m->name()] = std::isfinite(v) ? json(v) : json(nullptr);  // AUROC of a one-class slice: undefined
    }
    rows.push_back(row);
  }
  std::stable_sort(rows.begin(), rows.end(), [&](const json& a, const json& b) {
    const bool da = defined(a, key), db = defined(b, key);
    if (da != db) return da;
    if (!da) return false;
    return higher ? a[key].get<double>() < b[key].get<double>() : a[key].get<double>() > b[key].get<double>();
  });
  return rows;
}

void report_slices(const std::vector<json>& slices, const std::string& column, const std::string& part,
                   const std::vector<std::string>& metric_names, const std::string& key, std::ostream& out,
                   std::string& csv, const std::filesystem::path& svg) {
  if (csv.empty()) {
    std::vector<std::string> header = {"column", "value", "part", "rows"};
    header.insert(header.end(), metric_names.begin(), metric_names.end());
    csv = csv_row(header);
  }
  out << "\nslices by " << column << " (" << part << "), worst " << key << " first\n  "
      << fmt::format("{:<24}{:>8}", "value", "rows");
  for (const auto& m : metric_names) out << fmt::format("{:>14}", m);
  out << "\n";
  std::vector<std::string> labels;
  std::vector<double> plotted;
  for (const auto& row : slices) {
    const std::string value = row["value"];
    const size_t n = row["rows"];
    out << "  " << fmt::format("{:<24}{:>8}", value.substr(0, 23), n);
    std::vector<std::string> fields = {column, value, part, std::to_string(n)};
    for (const auto& m : metric_names) {
      out << fmt::format("{:>14}", cell(row.value(m, json())));
      fields.push_back(defined(row, m) ? fmt::format("{}", row[m].get<double>()) : "");
    }
    out << "\n";
    csv += csv_row(fields);
    labels.push_back(value);
    plotted.push_back(defined(row, key) ? row[key].get<double>() : NAN);
  }
  if (!svg.empty()) write_bar_plot(svg, labels, plotted, fmt::format("{} by {} ({}), worst first", key, column, part), key);
}

std::string file_safe(std::string name) {
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') c = '_';
  return name;
}

}  // namespace adapt
