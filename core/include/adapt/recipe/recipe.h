#pragma once
// Recipes: a JSON document naming components from any loaded plugin. This header reads, checks and
// assembles one (blocks, transforms, model, metrics, the train section); run/train_recipe.h runs it.
// The format is documented in docs/recipes.md.
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "adapt/plugin/registry.h"
#include "adapt/train/schedule.h"

namespace adapt {

// Reads a recipe file (a JSON parse error names the file, line and column) and makes the relative
// paths in it (reader/splitter options named path/file/dir/..., state_from, init_from.file) relative
// to the recipe's directory, as docs/recipes.md says.
json load_recipe(const std::filesystem::path& file);
// Same path resolution for a recipe already in memory.
json resolve_recipe_paths(json recipe, const std::filesystem::path& base_dir);

// Checks every section and option; throws OptionError whose message starts with the JSON path.
void validate_recipe(const json& recipe, const Registry& registry);

// --- assembly helpers shared by train_recipe and Predictor ------------------------------------
struct RecipeComponent {
  Kind kind;
  json spec;         // {"name": ..., options...} (strings in lists become {"name": s})
  std::string path;  // JSON path in the recipe: "inputs[1]", "metrics[0]"
};
// Every named component of a recipe with its kind and path (core.fusion's branch encoders too).
std::vector<RecipeComponent> recipe_components(const json& recipe);
// core.fusion's "branches" object of the recipe's model, or {} for other models.
json fusion_branches(const json& recipe);
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
  json branch_freeze_to;               // core.fusion: {branch: n}, freeze_to within each named branch
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

}  // namespace adapt
