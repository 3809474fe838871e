// evaluate: the network's metrics on valid (and on test in a final run), every baseline on the same
// rows, the results table with its verdicts, the test ledger's count, and the plugin reports.
#include <cmath>
#include <cstdio>

#include "adapt/baseline/core_baselines.h"
#include "adapt/run/stages.h"
#include "adapt/run/test_ledger.h"

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

std::vector<std::shared_ptr<Metric>> run_metrics(const RunState& state, const Registry& registry) {
  auto metrics = build_metrics(state.recipe, registry, *state.blocks->target().block);
  for (size_t i = 0; i < state.added_metrics.size(); ++i)
    metrics.push_back(registry.metric(state.added_metrics[i], "metrics (added)"));
  return metrics;
}

json score_baseline(Baseline& baseline, const std::string& name, RunState& state, const Registry& registry,
                    RunContext& ctx, bool required) {
  json entry = {{"description", baseline.description()}};
  BaselineContext bctx{*state.records, state.split, *state.blocks};
  try {
    baseline.fit(bctx);
    entry["description"] = baseline.description();  // some say more once fitted
    for (const auto& [part, rows] : {std::pair<const char*, const std::vector<size_t>*>{"valid", &state.split.valid},
                                     {"test", &state.split.test}}) {
      if (rows->empty()) continue;
      entry[part] = score(baseline.predict(bctx, *rows), baseline_targets(bctx, *rows), run_metrics(state, registry),
                          *state.loss);
    }
  } catch (const Error& e) {
    if (!required) {
      ctx.out() << "note: baseline " << name << " does not apply here (" << e.what() << ")\n";
      return nullptr;
    }
    entry["error"] = e.what();
    std::string w = "baseline " + name + " failed: " + e.what();
    state.warnings.push_back(w);
    ctx.out() << "warning: " << w << "\n";
  }
  return entry;
}

namespace {

// The plugin's own baseline for a recipe that names none: the first baseline of the model's plugin,
// core.logistic / core.linear for core models by target; none for core.fusion (its branches name theirs).
std::string default_baseline(const RunState& state, const Registry& registry) {
  const json& model = state.recipe["model"];
  const std::string name = model.is_string() ? model.get<std::string>() : model.value("name", std::string());
  const std::string plugin = name.substr(0, name.find('.'));
  if (plugin == "core") {
    if (name == "core.fusion") return {};
    const std::string loss = state.blocks->target().block->loss();
    return loss == "cross_entropy" ? "core.logistic" : loss == "mse" ? "core.linear" : "";
  }
  for (const auto& info : registry.components_of_plugin(plugin))
    if (info.kind == Kind::baseline) return info.name;
  return {};
}

// Every run's baselines: the constant prediction, then the recipe's list (or the plugin's default).
json run_baselines(RunState& state, const Registry& registry, RunContext& ctx) {
  json out = json::object();
  const bool listed = state.recipe.contains("baselines");
  const json& baselines = state.recipe.value("baselines", json::array());
  bool constant_listed = false;
  for (const auto& b : baselines)
    constant_listed |= (b.is_string() ? b.get<std::string>() : b.value("name", std::string())) == "core.constant";
  if (!constant_listed) {
    ConstantBaseline constant;
    if (json entry = score_baseline(constant, "constant", state, registry, ctx, false); !entry.is_null())
      out["constant"] = entry;
  }
  if (!listed) {
    if (const std::string name = default_baseline(state, registry); !name.empty()) {
      auto baseline = registry.baseline(json{{"name", name}}, "baselines (the plugin's default)");
      if (json entry = score_baseline(*baseline, name, state, registry, ctx, false); !entry.is_null()) out[name] = entry;
    }
  }
  for (size_t i = 0; i < baselines.size(); ++i) {
    json spec = baselines[i].is_string() ? json{{"name", baselines[i]}} : baselines[i];
    std::string name = spec["name"];
    if (out.contains(name)) name += "#" + std::to_string(i);
    auto baseline = registry.baseline(component_options(spec), "baselines[" + std::to_string(i) + "]");
    out[name] = score_baseline(*baseline, spec["name"].get<std::string>(), state, registry, ctx);
  }
  for (const json& rows : {fusion_stacked_baseline(state, registry, ctx), fusion_ablations(state, registry, ctx)})
    for (const auto& [name, entry] : rows.items()) out[name] = entry;
  return out;
}

void print_table(std::ostream& out, const json& metrics, const json& baselines,
                 const std::vector<std::shared_ptr<Metric>>& metric_list, const std::string& test_line) {
  std::vector<std::string> columns = {"loss"};
  for (const auto& m : metric_list) columns.push_back(m->name());
  // The model column fits the longest baseline name, so names never run into the split.
  size_t width = 22;
  for (const auto& [name, result] : baselines.items()) width = std::max(width, name.size() + 2);
  out << "\nresults (" << test_line << ")\n  " << pad("model", width) << pad("split", 7);
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

// -1: the baseline wins, 0: a tie, 1: the network wins.
int compare(double net, double base, bool higher) {
  if (std::fabs(net - base) <= 1e-9 * std::max(1.0, std::fabs(base))) return 0;
  return (net > base) == higher ? 1 : -1;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// The headline on the primary metric, then one line per baseline over every metric: where the
// network wins, ties and loses. Judged on the test part in a final run, else on valid.
json verdicts(const RunResult& result, const std::vector<std::shared_ptr<Metric>>& metric_list, bool primary_higher) {
  const char* part = result.metrics.contains("test") ? "test" : "valid";
  json out = json::array();
  if (!result.metrics.contains(part)) return out;
  const json& net = result.metrics[part];
  const std::string& key = result.primary_metric;
  std::vector<std::string> beaten, winners;
  for (const auto& [name, entry] : result.baselines.items()) {
    if (entry.contains("error") || !entry.contains(part)) continue;
    const double a = net.value(key, NAN), b = entry[part].value(key, NAN);
    if (std::isnan(a) || std::isnan(b)) continue;  // undefined here (AUROC of one class): no judgement
    (compare(a, b, primary_higher) > 0 ? beaten : winners).push_back(name + " " + fmt_value(b));
  }
  const std::string head = "verdict on " + key + " (" + part + ", network " + fmt_value(net.value(key, NAN)) + "): ";
  if (winners.empty() && !beaten.empty())
    out.push_back(head + "the network beats every baseline (" + join(beaten) + ")");
  else if (!winners.empty())
    out.push_back(head + "the network does not beat " + join(winners) + "; keep the simpler model unless it wins on " +
                  "what matters more");
  for (const auto& [name, entry] : result.baselines.items()) {
    if (entry.contains("error") || !entry.contains(part)) continue;
    std::vector<std::string> wins, ties, losses;
    const json& scores = entry[part];  // a lambda may not capture a structured binding (C++17)
    auto judge = [&](const std::string& metric, bool higher) {
      const double a = net.value(metric, NAN), b = scores.value(metric, NAN);
      if (std::isnan(a) || std::isnan(b)) return;
      const int c = compare(a, b, higher);
      (c > 0 ? wins : c == 0 ? ties : losses).push_back(metric);
    };
    if (metric_list.empty()) judge("loss", false);
    for (const auto& m : metric_list) judge(m->name(), m->higher_is_better());
    std::vector<std::string> clauses;
    if (!wins.empty()) clauses.push_back("the network beats " + name + " on " + join(wins));
    if (!ties.empty()) clauses.push_back("the network and " + name + " tie on " + join(ties));
    if (!losses.empty()) clauses.push_back(name + " BEATS the network on " + join(losses));
    std::string line;
    for (const auto& c : clauses) line += (line.empty() ? "" : "; ") + c;
    if (!line.empty()) out.push_back(line + " (" + part + ")");
  }
  return out;
}

// A report that scores the network beside baselines of its own, as {"model": {metric: value}, "<baseline>":
// {metric: value}, "split": part} (recsys.ranking: hr@10, ndcg@10 against the most popular items): one
// line per baseline where it wins or ties. Such metrics are better when higher.
json report_verdicts(const json& reports) {
  json out = json::array();
  for (const auto& [report, result] : reports.items()) {
    if (!result.is_object() || !result.contains("model") || !result["model"].is_object()) continue;
    const json& net = result["model"];
    const std::string part = result.value("split", std::string("valid"));
    for (const auto& [name, scores] : result.items()) {
      if (name == "model" || !scores.is_object()) continue;
      std::vector<std::string> losses;
      for (const auto& [metric, value] : scores.items())
        if (value.is_number() && net.contains(metric) && net[metric].is_number() &&
            compare(net[metric].get<double>(), value.get<double>(), true) <= 0)
          losses.push_back(metric);
      if (!losses.empty())
        out.push_back(name + " BEATS or ties the network on " + join(losses) + " (" + report + ", " + part + ")");
    }
  }
  return out;
}

// Counts this scoring of the test part in the ledger; {"rows", "sealed", "scored"} for the record.
json test_part_status(RunState& state, RunContext& ctx) {
  if (!state.sealed_test.empty())
    return {{"rows", state.sealed_test.size()}, {"sealed", true}, {"scored", nullptr}};
  if (state.split.test.empty()) return {{"rows", 0}, {"sealed", false}, {"scored", nullptr}};
  json status = {{"rows", state.split.test.size()}, {"sealed", false}};
  try {
    TestLedger ledger(ctx.test_ledger().empty() ? default_test_ledger_file() : ctx.test_ledger());
    const int64_t scored = ledger.record(test_part_key(state.data_hash, state.split.test), state.records->source());
    status["scored"] = scored;
    status["ledger"] = ledger.file().string();
    if (scored > 1) {
      std::string w = "this test part has now been scored " + std::to_string(scored) +
                      " times (" + ledger.file().string() + "): every look after the first is a chance to fit "
                      "choices to it, so its scores are no longer an unbiased estimate";
      status["warning"] = w;
    }
  } catch (const Error& e) {
    status["scored"] = nullptr;
    status["warning"] = std::string("the test ledger was not updated: ") + e.what();
  }
  if (status.contains("warning")) state.warnings.push_back(status["warning"]);
  return status;
}

// The recipe's reports (plugin analyses: feature importance, ranking metrics, ...).
json run_reports(RunState& state, const Registry& registry, RunContext& ctx) {
  json out = json::object();
  const json& reports = state.recipe.value("reports", json::array());
  for (size_t i = 0; i < reports.size(); ++i) {
    json spec = reports[i].is_string() ? json{{"name", reports[i]}} : reports[i];
    auto report = registry.report(component_options(spec), "reports[" + std::to_string(i) + "]");
    ReportContext rctx{*state.learner, *state.records, state.split, *state.blocks, ctx.dir(), ctx.out()};
    out[spec["name"].get<std::string>()] = report->run(rctx);
  }
  return out;
}

}  // namespace

const Predictions& split_predictions(RunState& state, Split split) {
  auto it = state.predictions.find(split);
  if (it == state.predictions.end()) it = state.predictions.emplace(split, state.learner->get_preds(split)).first;
  return it->second;
}

void evaluate(RunState& state, const Registry& registry, RunContext& ctx) {
  RunResult& result = state.result;
  result.metrics = json::object();
  if (state.loaders.valid) result.metrics["valid"] = state.learner->validate(Split::valid);
  if (state.loaders.test) result.metrics["test"] = state.learner->validate(Split::test);
  result.test_part = test_part_status(state, ctx);
  result.baselines = run_baselines(state, registry, ctx);
  print_table(ctx.out(), result.metrics, result.baselines, state.metrics, test_part_line(result.test_part));
  state.verdicts = verdicts(result, state.metrics, state.primary_higher);
  if (json fusion = fusion_verdict(result.metrics, result.baselines, result.primary_metric, state.primary_higher);
      !fusion.is_null())
    state.verdicts.push_back(fusion);
  result.reports = run_reports(state, registry, ctx);
  for (const auto& v : report_verdicts(result.reports)) state.verdicts.push_back(v);
  for (const auto& v : state.verdicts) ctx.out() << "  " << v.get<std::string>() << "\n";
  if (result.test_part.contains("warning")) ctx.out() << "warning: " << result.test_part["warning"].get<std::string>() << "\n";
  result.slices = evaluate_slices(state, registry, ctx);
  result.calibration = calibrate(state, ctx);
  ctx.out() << std::flush;

}

}  // namespace adapt
