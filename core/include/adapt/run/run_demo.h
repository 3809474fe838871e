#pragma once
// run_demo: a plugin's demo as one user journey (generate, train, compare, export, reload, predict).
#include <string>
#include <vector>

#include "adapt/run/train_recipe.h"

namespace adapt {

struct DemoResult {
  RunResult run;
  std::vector<json> predictions;  // for the demo's predict_inputs, from the reloaded export
};
// Generates the demo's data under options.out_dir/data, trains its recipe, prints metrics next to the
// baselines, exports, reloads the export and predicts the demo's inputs.
DemoResult run_demo(const std::string& name, const RunOptions& options, const Registry& registry);

}  // namespace adapt
