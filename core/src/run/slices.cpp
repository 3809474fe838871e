// evaluate_slices: the network's metrics per value of the recipe's slice columns on valid (and test
// in a final run), through adapt/report/slices.h.
#include "adapt/common/atomic_file.h"
#include "adapt/report/slices.h"
#include "adapt/run/stages.h"

namespace adapt {

json evaluate_slices(RunState& state, const Registry& registry, RunContext& ctx) {
  const json& columns = state.recipe.value("slices", json::array());
  json out = json::object();
  if (columns.empty()) return out;
  std::vector<std::string> metric_names;
  for (const auto& m : state.metrics) metric_names.push_back(m->name());
  const SliceMetrics make_metrics = [&] { return run_metrics(state, registry); };
  std::string csv;
  for (const auto& [part, split] : {std::pair<const char*, Split>{"valid", Split::valid}, {"test", Split::test}}) {
    if (!(split == Split::valid ? state.loaders.valid : state.loaders.test)) continue;
    const Predictions& p = split_predictions(state, split);
    const auto rows = p.rows.contiguous();
    for (const auto& c : columns) {
      const std::string column = c.get<std::string>();
      const auto& column_values = state.records->column(column);
      std::vector<std::string> values;
      for (int64_t i = 0; i < rows.size(0); ++i) values.push_back(column_values[static_cast<size_t>(rows[i].item<int64_t>())]);
      const auto slices =
          score_slices(p.outputs, p.targets, values, make_metrics, state.result.primary_metric, state.primary_higher);
      const std::filesystem::path svg =
          ctx.dir().empty() ? std::filesystem::path() : ctx.dir() / ("slices_" + file_safe(column) + "_" + part + ".svg");
      report_slices(slices, column, part, metric_names, state.result.primary_metric, ctx.out(), csv, svg);
      out[column][part] = slices;
    }
  }
  if (!ctx.dir().empty()) write_text_atomically(ctx.dir() / "slices.csv", csv);
  return out;
}

}  // namespace adapt
