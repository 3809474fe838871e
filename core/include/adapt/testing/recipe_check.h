#pragma once
// check_recipe: every block, transform and the model of a recipe, checked on the recipe's own data
// as the real run reads and splits it (run/stages.h): each input and the target block with
// check_block (training rows vs validation and test rows), each transform with check_transform on
// training items after the recipe's earlier item transforms, and the model with check_model on a
// validation batch prepared as for prediction.
#include <gtest/gtest.h>

#include <iostream>
#include <memory>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "adapt/run/stages.h"
#include "adapt/testing/block_check.h"
#include "adapt/testing/model_check.h"
#include "adapt/testing/transform_check.h"

namespace adapt::testing {

namespace detail {

// The run's state through read_and_split; progress goes to `log`. Null (and a failure) on error.
inline std::unique_ptr<RunState> read_recipe_data(const Registry& registry, const json& recipe, std::ostream& log) {
  RunOptions options;
  options.out = &log;
  options.progress = false;
  options.write_files = false;
  RunContext ctx(options);
  std::unique_ptr<RunState> state;
  if (!attempt("recipe", "validating, reading and splitting", [&] {
        state = std::make_unique<RunState>(resolve_defaults(recipe, registry, ctx));
        read_and_split(*state, registry, ctx);
      }))
    return nullptr;
  return state;
}

inline Records other_rows(const RunState& state) {
  std::vector<size_t> rows = state.split.valid;
  rows.insert(rows.end(), state.split.test.begin(), state.split.test.end());
  return state.records->subset(rows);
}

// Training items as the loader encodes them, row r with Rng(seed).derive(r).
inline std::vector<Sample> encode_samples(const DataBlocks& blocks, const Records& rows, Split split, uint64_t seed) {
  return encode_rows(blocks, rows, split, seed);
}

inline void check_recipe_transforms(const Registry& registry, const json& recipe, const RunState& state,
                                    const CheckOptions& options) {
  if (!recipe.contains("transforms") || !recipe["transforms"].is_array()) return;
  const Records train = first_rows(state.records->subset(state.split.train), options.max_rows);
  std::vector<Sample> items;
  if (!attempt("recipe", "encoding training items", [&] { items = encode_samples(*state.blocks, train, Split::train, options.seed); }))
    return;
  const json& specs = recipe["transforms"];
  // Item transforms see what the earlier item transforms made, as in the loader; batch transforms the
  // collated result of all item transforms.
  for (size_t i = 0; i < specs.size() && i < state.transforms.size(); ++i) {
    check_transform(registry, specs[i], *state.blocks, items, options);
    const Transform& t = *state.transforms[i];
    if (t.level() == TransformLevel::item)
      attempt("recipe", "applying " + specs[i].value("name", std::string()), [&] { items = apply_each(t, items, options.seed + 7); });
  }
}

inline void check_recipe_model(const Registry& registry, const json& recipe, const RunState& state,
                               const CheckOptions& options) {
  std::vector<size_t> rows = state.split.valid.empty() ? state.split.test : state.split.valid;
  rows.resize(std::min(rows.size(), options.max_rows));
  const Records valid = state.records->subset(rows);
  Batch batch;
  std::shared_ptr<Loss> loss;
  if (!attempt("recipe", "preparing a validation batch", [&] {
        std::vector<Sample> items = encode_samples(*state.blocks, valid, Split::valid, options.seed);
        Rng rng(options.seed);
        for (const auto& t : state.transforms)
          if (t->on_valid() && t->level() == TransformLevel::item)
            for (auto& item : items) t->apply(item, rng);
        batch = state.blocks->collate(items);
        std::vector<int64_t> row_index(rows.size());
        std::iota(row_index.begin(), row_index.end(), int64_t{0});
        batch["row"] = torch::tensor(row_index, torch::kInt64);
        for (const auto& t : state.transforms)
          if (t->on_valid() && t->level() == TransformLevel::batch) t->apply(batch, rng);
        if (recipe.contains("loss") && !recipe["loss"].is_null())
          loss = registry.loss(component_options(recipe["loss"]), "loss");
      }))
    return;
  check_model(registry, recipe["model"], *state.blocks, batch, loss);
  if (options.parameter_budget) check_model_budget(registry, recipe["model"], *state.blocks);
}

// One line naming what was checked, so an author sees the coverage of a passing run.
inline void print_checked(const json& recipe, size_t n_train, size_t n_other) {
  auto names = [&](const char* section) {
    std::string list;
    if (recipe.contains(section) && recipe[section].is_array())
      for (const auto& spec : recipe[section]) list += (list.empty() ? "" : ", ") + spec_object(spec).value("name", std::string());
    return list.empty() ? std::string("none") : list;
  };
  std::cout << "[ conformance ] " << n_train << " training and " << n_other << " other rows: blocks " << names("inputs")
            << " -> " << spec_object(recipe["target"]).value("name", std::string()) << "; transforms "
            << names("transforms") << "; model " << spec_object(recipe["model"]).value("name", std::string()) << "\n";
}

}  // namespace detail

// Reads and splits the recipe's data as a run does, then checks its blocks, transforms and model.
inline void check_recipe(const Registry& registry, const json& recipe, const CheckOptions& options = {}) {
  std::ostringstream log;
  auto state = detail::read_recipe_data(registry, recipe, log);
  if (!state) return;
  const Records train = state->records->subset(state->split.train);
  const Records other = detail::other_rows(*state);
  for (const auto& spec : state->recipe["inputs"]) check_block(registry, spec, train, other, options);
  check_block(registry, state->recipe["target"], train, other, options);
  RunOptions run_options;
  run_options.out = &log;
  run_options.write_files = false;
  RunContext ctx(run_options);
  if (!detail::attempt("recipe", "setting up the blocks", [&] { setup_blocks(*state, registry, ctx); })) return;
  detail::check_recipe_transforms(registry, state->recipe, *state, options);
  detail::check_recipe_model(registry, state->recipe, *state, options);
  detail::print_checked(state->recipe, train.size(), other.size());
}

}  // namespace adapt::testing
