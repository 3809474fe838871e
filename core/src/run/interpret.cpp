// interpret: the confusion matrix, most confused pairs and top losses on the validation split (the
// test split in a refit without one), and the learning curves.
#include <cmath>

#include "adapt/report/interpretation.h"
#include "adapt/report/plot.h"
#include "adapt/run/stages.h"
#include "adapt/train/callbacks.h"

namespace adapt {
namespace {

namespace fs = std::filesystem;

std::string describe_row(const DataBlocks& blocks, const Records& records, size_t row) {
  std::string out;
  for (const auto& bound : blocks.inputs()) out += (out.empty() ? "" : " | ") + bound.block->describe(records, row);
  if (out.size() > 200) out = out.substr(0, 197) + "...";
  return out;
}

void confusion(const Interpretation& interp, const InterpretPlan& plan, const std::vector<std::string>& classes,
               const std::string& part, RunContext& ctx, json& interpretation) {
  auto cm = interp.confusion_matrix();
  std::vector<std::vector<int64_t>> counts(static_cast<size_t>(cm.size(0)));
  for (int64_t a = 0; a < cm.size(0); ++a)
    for (int64_t b = 0; b < cm.size(1); ++b) counts[static_cast<size_t>(a)].push_back(cm[a][b].item<int64_t>());
  interpretation["confusion_matrix"] = counts;
  json confused = json::array();
  for (const auto& p : interp.most_confused(plan.most_confused_min))
    confused.push_back({{"actual", p.actual}, {"predicted", p.predicted}, {"count", p.count}});
  interpretation["most_confused"] = confused;
  std::ostream& out = ctx.out();
  if (classes.size() <= 20) out << "\nconfusion matrix" << part << "\n" << interp.confusion_matrix_text();
  out << "\nmost confused" << part << "\n" << interp.most_confused_text(plan.most_confused_min);
  if (!ctx.dir().empty()) {
    interp.write_confusion_matrix_csv(ctx.dir() / "confusion_matrix.csv");
    interp.write_most_confused_csv(ctx.dir() / "most_confused.csv", plan.most_confused_min);
    write_confusion_matrix_plot(ctx.dir() / "confusion_matrix.svg", counts, classes, "confusion matrix" + part);
  }
}

void top_losses(const Interpretation& interp, const Records& records, size_t k, const std::string& part,
                RunContext& ctx, json& interpretation) {
  ctx.out() << "\ntop losses" << part << "\n" << interp.top_losses_text(k);
  json top = json::array();
  for (const auto& t : interp.top_losses(k))
    top.push_back({{"row", t.row},
                   {"origin", records.origin(t.row)},
                   {"item", t.item},
                   {"actual", t.actual},
                   {"predicted", t.predicted},
                   {"probability", t.probability},
                   {"loss", t.loss}});
  interpretation["top_losses"] = top;
  if (!ctx.dir().empty()) interp.write_top_losses_csv(ctx.dir() / "top_losses.csv", k);
}

// metrics.svg: the validation metrics per epoch, each baseline's score on the same split as a dashed
// line in its metric's colour. A refit has no validation split: its test scores, taken once after the
// last epoch, are the points.
void plot_history(const Recorder& rec, const std::vector<std::shared_ptr<Metric>>& metrics, const RunResult& result,
                  Split looked_at, const fs::path& dir) {
  std::vector<double> epochs = rec.column("epoch");
  LinePlotOptions o;
  o.title = "loss";
  o.x_label = "epoch";
  o.y_label = "loss";
  write_line_plot(dir / "loss.svg",
                  {{"train_loss", epochs, rec.column("train_loss")}, {"valid_loss", epochs, rec.column("valid_loss")}}, o);
  if (metrics.empty()) return;
  const std::string part = to_string(looked_at);
  const json& scores = result.metrics.value(part, json::object());
  std::vector<PlotSeries> series;
  for (size_t i = 0; i < metrics.size(); ++i) {
    const std::string name = metrics[i]->name();
    if (looked_at == Split::valid) {
      series.push_back({name, epochs, rec.column(name)});
    } else {
      const double last = epochs.empty() ? 0.0 : epochs.back();
      const double value = scores.contains(name) && scores[name].is_number() ? scores[name].get<double>() : NAN;
      series.push_back({name + " (test)", {last}, {value}});
    }
    for (const auto& [baseline, entry] : result.baselines.items()) {
      const json& scored = entry.value(part, json::object());
      if (scored.contains(name) && scored[name].is_number())
        o.reference_lines.push_back({name + ": " + baseline, scored[name].get<double>(), i});
    }
  }
  o.title = looked_at == Split::valid ? "validation metrics" : "test metrics (refit: no validation split)";
  o.y_label = "value";
  write_line_plot(dir / "metrics.svg", series, o);
}

}  // namespace

void interpret(RunState& state, RunContext& ctx) {
  const InterpretPlan& plan = state.interpret;
  const Split looked_at = state.loaders.valid ? Split::valid : Split::test;
  const std::string part = std::string(" (") + to_string(looked_at) + ")";
  state.interpretation = {{"split", to_string(looked_at)}};
  const Predictions& preds = split_predictions(state, looked_at);
  std::vector<size_t> rows;
  auto row_acc = preds.rows.contiguous();
  for (int64_t i = 0; i < row_acc.size(0); ++i) rows.push_back(static_cast<size_t>(row_acc[i].item<int64_t>()));
  std::vector<std::string> items;
  if (plan.top_losses > 0)
    for (size_t r : rows) items.push_back(describe_row(*state.blocks, *state.records, r));
  auto classes = state.blocks->target().block->classes();
  const bool single_label =
      preds.targets.scalar_type() == torch::kInt64 && preds.targets.dim() == 1 && preds.outputs.dim() == 2;
  if (!single_label) classes.clear();  // multi-label or sequences: no confusion matrix
  // Neither single-label classification nor regression: only the loss ranking would be meaningful.
  const bool regression = preds.outputs.dim() <= 2 && preds.targets.is_floating_point();
  if (!classes.empty() || regression) {
    // A standardised target (dims: output_scale, output_shift) shows in its own units: stars, not sigmas.
    torch::Tensor outputs = preds.outputs, targets = preds.targets;
    const json dims = state.blocks->target().block->dims();
    if (regression && dims.contains("output_scale") && dims.contains("output_shift")) {
      const auto scale = torch::tensor(dims["output_scale"].get<std::vector<double>>(), torch::kDouble);
      const auto shift = torch::tensor(dims["output_shift"].get<std::vector<double>>(), torch::kDouble);
      outputs = outputs.to(torch::kDouble) * scale + shift;
      targets = targets.to(torch::kDouble) * scale + shift;
    }
    Interpretation interp(outputs, targets, preds.losses, rows, classes, items);
    if (interp.is_classification() && plan.confusion_matrix)
      confusion(interp, plan, classes, part, ctx, state.interpretation);
    if (plan.top_losses > 0)
      top_losses(interp, *state.records, static_cast<size_t>(plan.top_losses), part, ctx, state.interpretation);
  }
  if (!ctx.dir().empty()) plot_history(state.learner->recorder(), state.metrics, state.result, looked_at, ctx.dir());
}

}  // namespace adapt
