// Is the fused model worth its branches? core.fusion runs are compared with each branch trained alone
// ("ablate": true) and with a late-fusion baseline stacking the branches' own baselines; a verdict
// says whether the fused network beats both.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>

#include "adapt/baseline/stacked_baseline.h"
#include "adapt/recipe/recipe.h"
#include "adapt/run/stages.h"

namespace adapt {
namespace {

bool is_fusion(const json& recipe) { return recipe.at("model").value("name", "") == "core.fusion"; }

}  // namespace

json fusion_ablations(const RunState& state, const Registry& registry, RunContext& ctx) {
  json out = json::object();
  if (!is_fusion(state.recipe) || !state.recipe.at("model").value("ablate", false)) return out;
  const json branches = fusion_branches(state.recipe);
  for (const auto& [name, branch] : branches.items()) {
    json alone = state.recipe;
    alone["model"] = branch["encoder"];
    if (branch.contains("init_from")) alone["model"]["init_from"] = branch["init_from"];
    for (const char* extra : {"baselines", "reports", "interpret"}) alone.erase(extra);
    ctx.out() << "ablation: training branch " << name << " alone (" << branch["encoder"].value("name", "") << ")\n"
              << std::flush;
    std::ostream quiet(nullptr);
    RunOptions options;
    options.out = &quiet;
    options.progress = false;
    options.write_files = false;
    RunResult run = train_recipe(alone, options, registry);
    json entry = {{"description", "branch " + name + " alone: " + branch["encoder"].value("name", "") +
                                      " with its own head, the same data, split and training"}};
    for (const char* part : {"valid", "test"})
      if (run.metrics.contains(part)) entry[part] = run.metrics[part];
    out["branch " + name] = entry;
  }
  return out;
}

json fusion_stacked_baseline(RunState& state, const Registry& registry, RunContext& ctx) {
  json out = json::object();
  if (!is_fusion(state.recipe)) return out;
  const json branches = fusion_branches(state.recipe);
  std::vector<StackedMember> members;
  for (const auto& [name, branch] : branches.items()) {
    if (!branch.contains("baseline")) return out;  // stacking needs every branch's baseline
    const json spec = component_options(branch["baseline"].is_string() ? json{{"name", branch["baseline"]}}
                                                                       : branch["baseline"]);
    const std::string path = "model.branches." + name + ".baseline";
    const std::string input = branch["encoder"].value("input", std::string("x"));
    members.push_back({name, {input}, [spec, path, &registry] { return registry.baseline(spec, path); }});
  }
  StackedOptions options;
  options.folds = state.recipe["model"].value("stack_folds", int64_t{5});
  options.seed = state.seed;
  ctx.out() << "stacked baseline: " << options.folds << "-fold out-of-fold predictions of " << members.size()
            << " branch baselines\n" << std::flush;
  StackedBaseline stacked(std::move(members), options);
  out["stacked baselines"] = score_baseline(stacked, "stacked baselines", state, registry, ctx);
  return out;
}

json fusion_verdict(const json& metrics, const json& baselines, const std::string& key, bool higher) {
  std::vector<std::string> rivals;
  for (const auto& [name, result] : baselines.items())
    if ((name.rfind("branch ", 0) == 0 || name == "stacked baselines") && !result.contains("error")) rivals.push_back(name);
  if (rivals.empty()) return nullptr;
  const char* part = metrics.contains("test") ? "test" : "valid";
  if (!metrics.contains(part)) return nullptr;
  const double net = metrics[part].value(key, NAN);
  std::string best;
  double best_value = NAN;
  for (const auto& name : rivals) {
    const double v = baselines[name].contains(part) ? baselines[name][part].value(key, NAN) : NAN;
    if (std::isnan(v)) continue;
    if (best.empty() || (higher ? v > best_value : v < best_value)) best = name, best_value = v;
  }
  if (best.empty()) return nullptr;
  const bool wins = higher ? net > best_value : net < best_value;
  const std::string values = fmt::format(" ({} {}: network {:.4f}, {} {:.4f})", part, key, net, best, best_value);
  if (wins) return fmt::format("fusion pays: the fused network beats {}{}", fmt::join(rivals, ", "), values);
  return fmt::format("fusion does not pay: {} matches or beats the fused network; keep the simpler model{}", best, values);
}

}  // namespace adapt
