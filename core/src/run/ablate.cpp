// fusion_ablations: is the fused model worth its branches? Each branch is trained alone, as a plain
// recipe whose model is the branch's encoder, so the results table shows it beside the fusion.
#include "adapt/recipe/recipe.h"
#include "adapt/run/stages.h"

namespace adapt {

json fusion_ablations(const RunState& state, const Registry& registry, RunContext& ctx) {
  json out = json::object();
  const json& model = state.recipe.at("model");
  if (model.value("name", "") != "core.fusion" || !model.value("ablate", false)) return out;
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

}  // namespace adapt
