#pragma once
// Recipes: a JSON document naming components from any loaded plugin, assembled and run by the core:
// reader -> splitter -> blocks (setup on train) -> transforms -> loaders -> model -> learner ->
// train -> metrics on valid (and test, once) -> baselines -> reports -> interpretation -> export.
// The format is documented in docs/recipes.md.
#include <filesystem>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "adapt/registry.h"
#include "adapt/schedule.h"

namespace adapt {

class DistributedContext;
class Learner;

struct RunOptions {
  std::filesystem::path out_dir;  // run directory: model.adapt, history, plots, reports; empty: no files
  std::ostream* out = nullptr;    // human-readable progress; nullptr: std::cout
  bool progress = true;           // live progress bar / per-epoch table
  bool write_files = true;        // plots, CSVs, model.adapt
  // Continue from out_dir/checkpoint.pt when it exists (written by train.checkpoint), skipping the
  // phases and epochs it finished; the result equals an uninterrupted run.
  bool resume = false;
  // Data-parallel training (docs/distributed.md); null or world size 1: one process. loader.batch_size
  // stays the global batch (each rank takes batch_size / world_size); only rank 0 prints and writes.
  std::shared_ptr<DistributedContext> distributed;
};

struct RunResult {
  json metrics;    // {"valid": {...}, "test": {...} (when the split has a test part)}
  json baselines;  // {"<baseline name>": {"valid": {...}, "test": {...}}, ...}
  json reports;    // {"<report name>": ...}
  std::filesystem::path model_file;  // the export, when written
  std::shared_ptr<Learner> learner;  // the trained learner, for further use in tests and hosts
};

// Reads a recipe file (a JSON parse error names the file, line and column) and makes the relative
// paths in it (reader/splitter options named path/file/dir/..., state_from, init_from.file) relative
// to the recipe's directory, as docs/recipes.md says.
json load_recipe(const std::filesystem::path& file);
// Same path resolution for a recipe already in memory.
json resolve_recipe_paths(json recipe, const std::filesystem::path& base_dir);

// Checks every section and option; throws OptionError whose message starts with the JSON path.
void validate_recipe(const json& recipe, const Registry& registry);
RunResult train_recipe(const json& recipe, const RunOptions& options, const Registry& registry);

// --- assembly helpers shared by train_recipe and Predictor ------------------------------------
struct RecipeComponent {
  Kind kind;
  json spec;         // {"name": ..., options...} (strings in lists become {"name": s})
  std::string path;  // JSON path in the recipe: "inputs[1]", "metrics[0]"
};
// Every named component of a recipe with its kind and path.
std::vector<RecipeComponent> recipe_components(const json& recipe);
// The spec without the keys the core handles itself (key, state_from, init_from).
json component_options(const json& spec);
// Input and target blocks bound to their keys (x, x1, ... / y), not yet set up.
std::shared_ptr<DataBlocks> build_blocks(const json& recipe, const Registry& registry);
// The recipe's transforms, set up on the blocks; deterministic_only keeps on_valid() ones.
std::vector<std::shared_ptr<const Transform>> build_transforms(const json& recipe, const Registry& registry,
                                                               const DataBlocks& blocks, bool deterministic_only);
// The model sized from the fitted blocks; apply_init_from loads "init_from" weights.
std::shared_ptr<Model> build_model(const json& recipe, const Registry& registry, const DataBlocks& blocks,
                                   bool apply_init_from);
// The recipe's metrics, or the target block's defaults (metrics.h default_metrics).
std::vector<std::shared_ptr<Metric>> build_metrics(const json& recipe, const Registry& registry, const Block& target);
// The recipe with every component's defaults filled in (what an export records).
json fill_recipe_defaults(const json& recipe, const Registry& registry);

// The "train" section, checked, with defaults (docs/recipes.md "Training phases").
struct PhasePlan {
  std::string schedule = "one_cycle";  // one_cycle, flat, cosine
  int64_t epochs = 1;
  json lr = 1e-3;                      // number, [low, high], or "find" (lr_find's suggestion)
  std::optional<int64_t> freeze_to;    // none: everything trains
  OneCycleOptions one_cycle;
};
struct TrainPlan {
  std::string optimizer = "adamw";
  double wd = 0.01, grad_clip = 0.0;
  int64_t grad_accum = 1;
  json early_stopping, save_best, checkpoint;  // null when off; else filled option objects
  std::vector<PhasePlan> phases;
  json filled;  // the section with defaults, for run.json and exports
};
TrainPlan parse_train_section(const json& train);
struct InterpretPlan {
  int64_t top_losses = 10;
  bool confusion_matrix = true;
  int64_t most_confused_min = 1;
};
InterpretPlan parse_interpret_section(const json& interpret);

// "fnv1a64:<hex>" over every column name and value: identifies the data a run trained on.
std::string data_hash(const Records& records);
// What makes models fail, found before training: heavily imbalanced labels (majority > 80%), a tiny
// training set (< 100 rows) or classes with < 10 training rows, labels seen only in valid/test, and
// inputs shared between train and valid/test (leakage, by hashing the input columns).
std::vector<std::string> data_warnings(const Records& records, const SplitIndices& split, const DataBlocks& blocks);

struct DemoResult {
  RunResult run;
  std::vector<json> predictions;  // for the demo's predict_inputs, from the reloaded export
};
// Generates the demo's data under options.out_dir/data, trains its recipe, prints metrics next to the
// baselines, exports, reloads the export and predicts the demo's inputs.
DemoResult run_demo(const std::string& name, const RunOptions& options, const Registry& registry);

}  // namespace adapt
