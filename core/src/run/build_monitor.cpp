// build_monitor: what the export keeps to watch the model in use. The out-of-domain scorer's
// Gaussians and token likelihood come from the training rows (the classes the model predicts for
// them), its centring and threshold from the validation rows, which the model did not train on. A
// run without a validation part fits on four fifths of the training rows and calibrates on the
// rest, and says so: the model is surer of rows it learned, so expect more false alarms there.
#include <fmt/format.h>

#include <algorithm>
#include <numeric>
#include <random>

#include "adapt/run/stages.h"
#include "monitor/out_of_domain_text.h"

namespace adapt {
namespace {

constexpr size_t kMaxRows = 5000;  // per part: enough for the Gaussians and the threshold, bounded in time

std::vector<size_t> sample_rows(std::vector<size_t> rows, uint64_t seed) {
  if (rows.size() <= kMaxRows) return rows;
  std::mt19937_64 rng(seed);
  std::shuffle(rows.begin(), rows.end(), rng);
  rows.resize(kMaxRows);
  std::sort(rows.begin(), rows.end());
  return rows;
}

OutOfDomainOptions ood_options(const json& recipe) {
  OutOfDomainOptions o;
  const json section = recipe.value("out_of_domain", json::object());
  if (section.is_object()) {
    o.accept_share = section.value("accept_share", o.accept_share);
    o.shrinkage = section.value("shrinkage", o.shrinkage);
  }
  return o;
}

void fit_monitor(RunState& state, RunContext& ctx) {
  const Block& target = *state.blocks->target().block;
  const bool wanted = state.recipe.value("out_of_domain", json(true)) != json(false);
  const bool from_valid = !state.split.valid.empty();
  auto train_rows = sample_rows(state.split.train, state.seed);
  std::vector<size_t> calib_rows;
  if (from_valid) {
    calib_rows = sample_rows(state.split.valid, state.seed);
  } else {  // every fifth training row calibrates, the others fit
    std::vector<size_t> fit_rows;
    for (size_t i = 0; i < train_rows.size(); ++i) (i % 5 == 4 ? calib_rows : fit_rows).push_back(train_rows[i]);
    if (fit_rows.size() < 2 || calib_rows.empty()) calib_rows = fit_rows = train_rows;
    train_rows = std::move(fit_rows);
  }
  Model& model = *state.model;
  const Records calib = state.records->subset(calib_rows);
  const OutputsAndFeatures c = predict_outputs_and_features(model, *state.blocks, state.transforms, calib);
  MonitorReference& m = state.monitor;
  m.drift.set_columns(*state.records, state.split.train, state.blocks->input_columns(), state.seed);
  m.drift.set_features(c.features, state.seed);
  const bool per_row = c.outputs.dim() == 2;  // not one prediction per token
  const bool classifier = per_row && target.loss() == "cross_entropy" && target.classes().size() >= 2;
  if (classifier) m.drift.set_labels(predicted_label_counts(c.outputs, target.classes()));
  json summary = {{"drift_reference", {{"columns", m.drift.columns()}, {"features", m.drift.has_features()}}}};
  if (wanted && per_row && (c.features.defined() || classifier || !c.sequences.empty())) {
    const OutputsAndFeatures t =
        predict_outputs_and_features(model, *state.blocks, state.transforms, state.records->subset(train_rows));
    const torch::Tensor classes = classifier ? t.outputs.argmax(1) : torch::Tensor();
    m.out_of_domain = OutOfDomainScorer::fit(t.features, classes, classifier ? t.outputs.size(1) : 0, classifier,
                                             ood_options(state.recipe), t.sequences);
    const torch::Tensor logits = classifier ? c.outputs : torch::Tensor();
    const torch::Tensor scores = m.out_of_domain.calibrate(c.features, logits, c.sequences);
    const double rejected = (scores > m.out_of_domain.threshold()).to(torch::kDouble).mean().item<double>();
    m.drift.set_expected_out_of_domain(rejected, calib_rows.size());
    const json ood_state = m.out_of_domain.state();
    const std::string components = detail::out_of_domain_components(ood_state);
    const std::string on =
        from_valid ? "valid" : "a fifth of train left out of the fit (no validation part: expect more false alarms)";
    summary["out_of_domain"] = ood_state;
    summary["out_of_domain"]["calibrated_on"] = from_valid ? "valid" : "train";
    summary["out_of_domain"]["rows"] = {{"fit", train_rows.size()}, {"calibrate", calib_rows.size()}};
    ctx.out() << fmt::format("\nout-of-domain scores: {} (threshold {:.4g} accepts {:.1f}% of {} rows)\n", components,
                             m.out_of_domain.threshold(), 100.0 * (1.0 - rejected), on);
  }
  state.result.reports["out_of_domain"] = summary;
}

}  // namespace

void build_monitor(RunState& state, RunContext& ctx) {
  try {
    fit_monitor(state, ctx);
  } catch (const std::exception& e) {  // the trained model matters more than its monitor: warn, export
    state.monitor = MonitorReference();
    const std::string warning = std::string("no out-of-domain scorer or drift reference: ") + e.what();
    state.warnings.push_back(warning);
    ctx.out() << "\nwarning: " << warning << "\n";
  }
}

}  // namespace adapt
