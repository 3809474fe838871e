#include "adapt/export/evaluate_model.h"

#include <fmt/format.h>

#include <iostream>

#include "adapt/common/atomic_file.h"
#include "adapt/data/csv_writer.h"
#include "adapt/export/read_new_data.h"
#include "adapt/metrics/metric_name.h"
#include "adapt/report/slices.h"
#include "adapt/model/losses.h"
#include "adapt/recipe/recipe.h"
#include "adapt/report/interpretation.h"
#include "adapt/report/plot.h"

namespace adapt {
namespace {

namespace fs = std::filesystem;

torch::Tensor encode_targets(const Records& records, const Block& target) {
  EncodeContext ctx;
  ctx.split = Split::valid;
  std::vector<torch::Tensor> out;
  for (size_t row = 0; row < records.size(); ++row) {
    try {
      out.push_back(get(target.encode(records, row, ctx), ""));
    } catch (const Error& e) {
      throw DataError(records.origin(row) + ": the target does not encode (" + e.what() +
                      "); evaluate scores labels the model knows");
    }
  }
  return torch::stack(out);
}

}  // namespace

json evaluate_model(const Predictor& predictor, const fs::path& data, const Registry& registry,
                    const EvaluateOptions& options) {
  std::ostream& out = options.out ? *options.out : std::cout;
  const json& recipe = predictor.recipe();
  const Records records = read_new_data(predictor, data, registry, "evaluate");
  if (records.empty()) throw DataError("evaluate: " + data.string() + " holds no records");
  const Block& target = *predictor.blocks()->target().block;
  for (const auto& c : target.columns())
    if (!records.has_column(c))
      throw DataError("evaluate: " + data.string() + " has no column \"" + c + "\", the model's target");
  for (size_t i = 0; i < options.slices.size(); ++i)
    if (!records.has_column(options.slices[i]))
      throw OptionError("evaluate: --slices " + options.slices[i] + ": " + data.string() + " has no such column");

  const torch::Tensor raw = predictor.outputs(records);
  const torch::Tensor outputs = predictor.temperature() == 1.0 ? raw : raw / predictor.temperature();
  const torch::Tensor targets = encode_targets(records, target);
  const auto loss = recipe.contains("loss") && !recipe["loss"].is_null()
                        ? registry.loss(component_options(recipe["loss"]), "loss")
                        : make_loss(target.loss());
  const SliceMetrics make_metrics = [&] { return build_metrics(recipe, registry, target); };
  json metrics = {{"loss", (*loss)(outputs, targets).item<double>()}};
  std::vector<std::string> names;
  std::string key = "loss";  // the recipe's primary metric when it names one, else the first
  bool higher = false;
  const std::string wanted = recipe.value("primary_metric", std::string());
  for (auto& m : make_metrics()) {
    m->accumulate(outputs, targets);
    metrics[m->name()] = m->value();
    names.push_back(m->name());
    if (wanted.empty() ? names.size() == 1 : names_metric(wanted, *m)) key = m->name(), higher = m->higher_is_better();
  }
  json result = {{"data", data.string()}, {"rows", records.size()}, {"metrics", metrics}, {"primary_metric", key}};
  out << "evaluated " << records.size() << " rows of " << data.string() << "\n";
  for (const auto& [name, value] : metrics.items()) out << fmt::format("  {:<20}{:.4f}\n", name, value.get<double>());

  const auto classes = target.classes();
  std::vector<size_t> rows(records.size());
  for (size_t r = 0; r < rows.size(); ++r) rows[r] = r;
  if (!classes.empty() && outputs.dim() == 2 && targets.dim() == 1 && targets.scalar_type() == torch::kInt64) {
    Interpretation interp(outputs, targets, loss->per_item(outputs, targets), rows, classes);
    const torch::Tensor cm = interp.confusion_matrix();
    std::vector<std::vector<int64_t>> counts(static_cast<size_t>(cm.size(0)));
    for (int64_t a = 0; a < cm.size(0); ++a)
      for (int64_t b = 0; b < cm.size(1); ++b) counts[static_cast<size_t>(a)].push_back(cm[a][b].item<int64_t>());
    result["confusion_matrix"] = counts;
    if (classes.size() <= 20) out << "\nconfusion matrix\n" << interp.confusion_matrix_text();
    out << "\nmost confused\n" << interp.most_confused_text();
    if (!options.out_dir.empty()) {
      fs::create_directories(options.out_dir);
      interp.write_confusion_matrix_csv(options.out_dir / "confusion_matrix.csv");
      write_confusion_matrix_plot(options.out_dir / "confusion_matrix.svg", counts, classes, "confusion matrix");
    }
  }
  std::string slices_csv;
  for (const auto& column : options.slices) {
    const auto slices = score_slices(outputs, targets, records.column(column), make_metrics, key, higher);
    const fs::path svg = options.out_dir.empty() ? fs::path() : options.out_dir / ("slices_" + file_safe(column) + ".svg");
    if (!svg.empty()) fs::create_directories(options.out_dir);
    report_slices(slices, column, "data", names, key, out, slices_csv, svg);
    result["slices"][column] = slices;
  }
  if (!options.out_dir.empty()) {
    fs::create_directories(options.out_dir);
    if (!slices_csv.empty()) write_text_atomically(options.out_dir / "slices.csv", slices_csv);
    std::string csv = csv_row({"row", "origin", "target", "prediction"});
    const std::vector<json> decoded = outputs.dim() <= 2 ? target.decode_batch(outputs) : std::vector<json>();
    for (size_t r = 0; r < records.size(); ++r) {
      std::string actual;
      for (const auto& c : target.columns()) actual += (actual.empty() ? "" : "|") + records.at(r, c);
      csv += csv_row({std::to_string(r), records.origin(r), actual,
                      decoded.empty() ? "" : decoded[r].dump()});
    }
    write_text_atomically(options.out_dir / "predictions.csv", csv);
    write_text_atomically(options.out_dir / "metrics.json", result.dump(2) + "\n");
  }
  return result;
}

}  // namespace adapt
