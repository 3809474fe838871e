// evaluate: the network's metrics on valid and test, every baseline on the same rows, the results
// table with its verdicts, and the plugin reports.
#include <cmath>
#include <cstdio>

#include "adapt/baseline/core_baselines.h"
#include "adapt/run/stages.h"

namespace adapt {
namespace {

std::string fmt_value(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", v);
  return buf;
}
std::string pad(const std::string& s, size_t width) { return s.size() >= width ? s : s + std::string(width - s.size(), ' '); }
std::string lpad(const std::string& s, size_t width) { return s.size() >= width ? s : std::string(width - s.size(), ' ') + s; }

// Scores baseline predictions with fresh metric instances and the loss.
json score(const torch::Tensor& predictions, const torch::Tensor& targets, std::vector<std::shared_ptr<Metric>> metrics,
           const Loss& loss) {
  json result = json::object();
  result["loss"] = loss(predictions, targets).item<double>();
  for (auto& m : metrics) {
    m->reset();
    m->accumulate(predictions, targets);
    result[m->name()] = m->value();
  }
  return result;
}

}  // namespace

json score_baseline(Baseline& baseline, const std::string& name, RunState& state, const Registry& registry,
                    RunContext& ctx) {
  json entry = {{"description", baseline.description()}};
  BaselineContext bctx{*state.records, state.split, *state.blocks};
  try {
    baseline.fit(bctx);
    entry["description"] = baseline.description();  // some say more once fitted
    for (const auto& [part, rows] : {std::pair<const char*, const std::vector<size_t>*>{"valid", &state.split.valid},
                                     {"test", &state.split.test}}) {
      if (rows->empty()) continue;
      auto metrics = build_metrics(state.recipe, registry, *state.blocks->target().block);
      entry[part] = score(baseline.predict(bctx, *rows), baseline_targets(bctx, *rows), metrics, *state.loss);
    }
  } catch (const Error& e) {
    entry["error"] = e.what();
    std::string w = "baseline " + name + " failed: " + e.what();
    state.warnings.push_back(w);
    ctx.out() << "warning: " << w << "\n";
  }
  return entry;
}

namespace {

// "the network beats X on M (valid: network a, X b)", or X beats the network, or a tie.
std::string verdict(const std::string& baseline, const std::string& key, bool higher, const char* part, double net,
                    double base) {
  std::string v;
  if (std::fabs(net - base) <= 1e-9 * std::max(1.0, std::fabs(base)))
    v = "the network and " + baseline + " tie on " + key;
  else if ((net > base) == higher)
    v = "the network beats " + baseline + " on " + key;
  else
    v = baseline + " beats the network on " + key;
  return v + " (" + part + ": network " + fmt_value(net) + ", " + baseline + " " + fmt_value(base) + ")";
}

void print_table(std::ostream& out, const json& metrics, const json& baselines,
                 const std::vector<std::shared_ptr<Metric>>& metric_list) {
  std::vector<std::string> columns = {"loss"};
  for (const auto& m : metric_list) columns.push_back(m->name());
  // The model column fits the longest baseline name, so names never run into the split.
  size_t width = 22;
  for (const auto& [name, result] : baselines.items()) width = std::max(width, name.size() + 2);
  out << "\nresults\n  " << pad("model", width) << pad("split", 7);
  for (const auto& c : columns) out << lpad(c, 14);
  out << "\n";
  auto row = [&](const std::string& name, const std::string& part, const json& values) {
    out << "  " << pad(name, width) << pad(part, 7);
    for (const auto& c : columns)
      out << lpad(values.contains(c) && values[c].is_number() ? fmt_value(values[c].get<double>()) : "-", 14);
    out << "\n";
  };
  for (const char* part : {"valid", "test"})
    if (metrics.contains(part)) row("network", part, metrics[part]);
  for (const auto& [name, result] : baselines.items())
    for (const char* part : {"valid", "test"})
      if (result.contains(part)) row(name, part, result[part]);
}

// The verdicts on the first metric (or the loss when there is none), one per baseline and split.
json verdicts(const json& metrics, const json& baselines, const std::vector<std::shared_ptr<Metric>>& metric_list) {
  const std::string key = metric_list.empty() ? "loss" : metric_list.front()->name();
  const bool higher = metric_list.empty() ? false : metric_list.front()->higher_is_better();
  json out = json::array();
  for (const auto& [name, result] : baselines.items()) {
    if (result.contains("error")) continue;
    for (const char* part : {"valid", "test"})
      if (metrics.contains(part) && result.contains(part))
        out.push_back(verdict(name, key, higher, part, metrics[part].value(key, NAN), result[part].value(key, NAN)));
  }
  return out;
}

}  // namespace

void evaluate(RunState& state, const Registry& registry, RunContext& ctx) {
  RunResult& result = state.result;
  result.metrics = json::object();
  if (state.loaders.valid) result.metrics["valid"] = state.learner->validate(Split::valid);
  if (state.loaders.test) result.metrics["test"] = state.learner->validate(Split::test);

  result.baselines = json::object();
  const json& baselines = state.recipe.value("baselines", json::array());
  for (size_t i = 0; i < baselines.size(); ++i) {
    json spec = baselines[i].is_string() ? json{{"name", baselines[i]}} : baselines[i];
    std::string name = spec["name"];
    if (result.baselines.contains(name)) name += "#" + std::to_string(i);
    auto baseline = registry.baseline(component_options(spec), "baselines[" + std::to_string(i) + "]");
    result.baselines[name] = score_baseline(*baseline, spec["name"].get<std::string>(), state, registry, ctx);
  }
  for (const json& rows : {fusion_stacked_baseline(state, registry, ctx), fusion_ablations(state, registry, ctx)})
    for (const auto& [name, entry] : rows.items()) result.baselines[name] = entry;
  print_table(ctx.out(), result.metrics, result.baselines, state.metrics);
  state.verdicts = verdicts(result.metrics, result.baselines, state.metrics);
  if (json fusion = fusion_verdict(result.metrics, result.baselines, state.metrics); !fusion.is_null())
    state.verdicts.push_back(fusion);
  for (const auto& v : state.verdicts) ctx.out() << "  " << v.get<std::string>() << "\n";
  ctx.out() << std::flush;

  result.reports = json::object();
  const json& reports = state.recipe.value("reports", json::array());
  for (size_t i = 0; i < reports.size(); ++i) {
    json spec = reports[i].is_string() ? json{{"name", reports[i]}} : reports[i];
    auto report = registry.report(component_options(spec), "reports[" + std::to_string(i) + "]");
    ReportContext rctx{*state.learner, *state.records, state.split, *state.blocks, ctx.dir(), ctx.out()};
    result.reports[spec["name"].get<std::string>()] = report->run(rctx);
  }
}

}  // namespace adapt
