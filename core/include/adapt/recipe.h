#pragma once
// Recipes: a JSON document naming components from any loaded plugin, assembled and run by the core:
// reader -> splitter -> blocks (setup on train) -> transforms -> loaders -> model -> learner ->
// train -> metrics on valid (and test, once) -> baselines -> reports -> interpretation -> export.
// The format is documented in docs/recipes.md.
#include <filesystem>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "adapt/registry.h"

namespace adapt {

class Learner;

struct RunOptions {
  std::filesystem::path out_dir;  // run directory: model.adapt, history, plots, reports
  std::ostream* out = nullptr;    // human-readable progress; nullptr: std::cout
  bool progress = true;           // live progress bar / per-epoch table
  bool write_files = true;        // plots, CSVs, model.adapt
};

struct RunResult {
  json metrics;    // {"valid": {...}, "test": {...} (when the split has a test part)}
  json baselines;  // {"<baseline name>": {"valid": {...}, "test": {...}}, ...}
  json reports;    // {"<report name>": ...}
  std::filesystem::path model_file;  // the export, when written
  std::shared_ptr<Learner> learner;  // the trained learner, for further use in tests and hosts
};

// Checks every section and option; throws OptionError whose message starts with the JSON path.
void validate_recipe(const json& recipe, const Registry& registry);
RunResult train_recipe(const json& recipe, const RunOptions& options, const Registry& registry);

struct DemoResult {
  RunResult run;
  std::vector<json> predictions;  // for the demo's predict_inputs, from the reloaded export
};
// Generates the demo's data under options.out_dir/data, trains its recipe, prints metrics next to the
// baselines, exports, reloads the export and predicts the demo's inputs.
DemoResult run_demo(const std::string& name, const RunOptions& options, const Registry& registry);

}  // namespace adapt
