#include "adapt/export/detect_drift.h"

#include <fmt/format.h>

#include <cmath>
#include <iostream>

#include "adapt/common/atomic_file.h"
#include "adapt/data/csv_writer.h"
#include "adapt/report/plot.h"

namespace adapt {
namespace {

void write_files(const json& report, const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  write_text_atomically(dir / "drift.json", report.dump(2) + "\n");
  std::string csv = csv_row({"column", "method", "statistic", "threshold", "drift"});
  std::vector<std::string> labels;
  std::vector<double> values;
  for (const auto& c : report["columns"]) {
    csv += csv_row({c["column"].get<std::string>(), c["method"].get<std::string>(), c["statistic"].dump(),
                    c["threshold"].dump(), c["drift"].get<bool>() ? "true" : "false"});
    // Distances as they are; a test's p-value as -log10 so that higher means more drift in both.
    const bool test = c.contains("p_value");
    labels.push_back(c["column"].get<std::string>() + (test ? " (-log10 p)" : ""));
    values.push_back(test ? -std::log10(std::max(c["p_value"].get<double>(), 1e-300)) : c["statistic"].get<double>());
  }
  write_text_atomically(dir / "drift_columns.csv", csv);
  if (!labels.empty()) write_bar_plot(dir / "drift.svg", labels, values, "drift per column", "statistic");
}

}  // namespace

json detect_drift(const Predictor& predictor, const Records& records, const DetectDriftOptions& options) {
  std::ostream& out = options.out ? *options.out : std::cout;
  const MonitorReference& monitor = predictor.monitor();
  if (monitor.drift.empty())
    throw Error("drift: the model keeps no drift reference (it was exported before adapt kept one); retrain it");
  if (records.empty()) throw DataError("drift: " + records.source() + " holds no records");
  for (const auto& c : monitor.drift.columns())
    if (!records.has_column(c))
      throw DataError("drift: " + records.source() + " has no column \"" + c +
                      "\", which the model reads; give data with the model's columns");
  const OutputsAndFeatures scored = predictor.outputs_and_features(records);
  DriftSample sample;
  sample.records = &records;
  sample.features = scored.features;
  sample.labels = predicted_label_counts(scored.outputs, predictor.blocks()->target().block->classes());
  json report;
  const torch::Tensor scores = predictor.domain_scores(scored);
  if (scores.defined()) {
    sample.scored = static_cast<size_t>(scores.size(0));
    sample.out_of_domain =
        static_cast<size_t>((scores > predictor.monitor().out_of_domain.threshold()).sum().item<int64_t>());
  }
  report = monitor.drift.compare(sample, options.tests);
  report["data"] = records.source();
  if (sample.scored > 0)
    report["out_of_domain"] = {{"flagged", sample.out_of_domain},
                               {"scored", sample.scored},
                               {"share", static_cast<double>(sample.out_of_domain) / static_cast<double>(sample.scored)}};

  out << fmt::format("drift of {} rows of {} against the model's reference\n", records.size(), records.source());
  for (const auto& t : report["tests"])
    out << fmt::format("  {:<22}{:<12}statistic {:<12.4g}p {:<10.3g}{}\n", t["test"].get<std::string>(),
                       t["method"].get<std::string>(), t["statistic"].get<double>(), t["p_value"].get<double>(),
                       t["drift"].get<bool>() ? "DRIFT" : "ok");
  for (const auto& c : report["columns"])
    out << fmt::format("  column {:<15}{:<15}statistic {:<12.4g}{}\n", c["column"].get<std::string>(),
                       c["method"].get<std::string>(), c["statistic"].get<double>(), c["drift"].get<bool>() ? "DRIFT" : "ok");
  if (report.contains("out_of_domain"))
    out << fmt::format("  out of domain: {} of {} inputs ({:.1f}%, about {:.1f}% expected)\n", sample.out_of_domain,
                       sample.scored, 100.0 * report["out_of_domain"]["share"].get<double>(),
                       100.0 * (1.0 - predictor.monitor().out_of_domain.accept_share()));
  out << (report["drift"].get<bool>() ? "drift found: " + std::to_string(report["findings"].size()) + " finding(s)\n"
                                      : "no drift found\n");
  if (!options.out_dir.empty()) write_files(report, options.out_dir);
  return report;
}

}  // namespace adapt
