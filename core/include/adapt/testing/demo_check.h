#pragma once
// check_demo: a plugin's demo as `adapt demo` runs it, with a tiny training budget:
//  - generate() twice into one folder with one seed writes the same files with the same bytes;
//  - its recipe trains through the real runner (train_recipe) and exports;
//  - predict_inputs() are not training rows (compared on the input columns; a value naming a file
//    compares by the file's bytes), so the demo's predictions say something about unseen data;
//  - the export reloads and predicts bit-identically to the trained model, twice, and again after
//    exporting the reloaded model (validation rows and predict_inputs alike).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "adapt/common/hash.h"
#include "adapt/export/export.h"
#include "adapt/run/stages.h"
#include "adapt/testing/check_settings.h"
#include "adapt/testing/compare.h"
#include "adapt/testing/records_util.h"
#include "adapt/testing/recipe_check.h"

namespace adapt::testing {

struct DemoCheckOptions {
  json demo_options = json::object();  // the demo component's options: a smaller dataset is a faster check
  uint64_t seed = 42;                   // generate()'s seed, as `adapt demo` uses
  int64_t epochs = 1;                   // the recipe's training is cut to this many epochs, one phase
  CheckOptions checks;
};

// The demo's recipe with a tiny training budget: the first phase only, `epochs` epochs, a fixed
// learning rate instead of "find" (lr_find alone costs a hundred batches).
inline json with_tiny_budget(json recipe, int64_t epochs) {
  json& train = recipe["train"];
  if (!train.is_object()) train = json::object();
  json* phase = &train;
  if (train.contains("phases") && train["phases"].is_array() && !train["phases"].empty()) {
    train["phases"] = json::array({train["phases"][0]});
    phase = &train["phases"][0];
  }
  (*phase)["epochs"] = epochs;
  if (phase->contains("lr") && (*phase)["lr"].is_string()) (*phase)["lr"] = 1e-3;
  return recipe;
}

namespace detail {

inline std::string file_bytes(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Relative path -> bytes of every regular file under `dir`.
inline std::map<std::string, std::string> file_tree(const std::filesystem::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir))
    if (entry.is_regular_file())
      files[std::filesystem::relative(entry.path(), dir).generic_string()] = file_bytes(entry.path());
  return files;
}

// What generate() wrote the first time (`first`) against what is under `dir` now.
inline void check_same_files(const std::string& who, const std::map<std::string, std::string>& first,
                             const std::filesystem::path& dir) {
  const auto second = file_tree(dir);
  EXPECT_FALSE(first.empty()) << who << ": generate() wrote no files";
  std::vector<std::string> differ;
  for (const auto& [name, bytes] : first) {
    auto it = second.find(name);
    if (it == second.end() || it->second != bytes) differ.push_back(name);
  }
  for (const auto& [name, bytes] : second)
    if (!first.count(name)) differ.push_back(name);
  std::string list;
  for (size_t i = 0; i < differ.size() && i < 5; ++i) list += (i ? ", " : "") + differ[i];
  if (differ.size() > 5) list += ", ... (" + std::to_string(differ.size()) + " files)";
  EXPECT_TRUE(differ.empty()) << who << ": generate() into " << dir.string()
                              << " twice with the same seed wrote different bytes in: " << list
                              << " (timestamps, timings, unordered containers or an unseeded generator?)";
}

// One record's input fields; a field naming an existing file stands for that file's bytes, so a copy
// of a training file under another name is still recognised.
inline std::string input_key(const Records& records, size_t row, const std::vector<std::string>& columns) {
  uint64_t hash = kFnv1aBasis;
  for (const auto& column : columns) {
    const std::string value = records.has_column(column) ? records.at(row, column) : "";
    std::error_code ec;
    if (!value.empty() && value.size() < 4096 && std::filesystem::is_regular_file(value, ec))
      hash = fnv1a64_field("file:" + file_bytes(value), hash);
    else
      hash = fnv1a64_field(value, hash);
  }
  return std::to_string(hash);
}

inline void check_predict_inputs_unseen(const std::string& who, const Records& train, const Records& predict,
                                        const std::vector<std::string>& columns, const std::vector<std::string>& inputs) {
  std::map<std::string, size_t> training;
  for (size_t row = 0; row < train.size(); ++row) training.emplace(input_key(train, row, columns), row);
  for (size_t row = 0; row < predict.size(); ++row) {
    auto it = training.find(input_key(predict, row, columns));
    if (it == training.end()) continue;
    const std::string shown = row < inputs.size() ? inputs[row] : "record " + std::to_string(row);
    ADD_FAILURE() << who << ": predict_inputs() entry \"" << shown << "\" is a training row ("
                  << train.origin(it->second) << "): a demo shows predictions on data the model never saw";
  }
}

inline void expect_same_outputs(const std::string& who, const torch::Tensor& a, const torch::Tensor& b,
                                const std::string& what) {
  const std::string d = tensor_difference(a, b);
  EXPECT_TRUE(d.empty()) << who << ": " << what << " (" << d << ")";
}

// Train, export, reload: outputs on predict_inputs() and validation rows must be bit-identical
// everywhere; predict_inputs() must not be training rows.
inline void check_export_round_trip(const std::string& who, const Registry& registry, const json& recipe,
                                    const std::filesystem::path& run_dir, const std::vector<std::string>& inputs,
                                    const Records& train, const Records& valid_rows) {
  std::ostringstream log;
  RunOptions options;
  options.out_dir = run_dir;
  options.out = &log;
  options.progress = false;
  RunResult run;
  if (!attempt(who, "training its recipe (log: " + (run_dir / "run.log").string() + ")", [&] {
        try {
          run = train_recipe(recipe, options, registry);
        } catch (...) {
          std::ofstream(run_dir / "run.log") << log.str();
          throw;
        }
      }))
    return;
  ASSERT_TRUE(std::filesystem::is_regular_file(run.model_file)) << who << ": the run wrote no model.adapt";
  std::unique_ptr<Predictor> first, second, third;
  const auto again_file = run_dir / "reexported.adapt";
  if (!attempt(who, "loading and re-exporting the export", [&] {
        first = std::make_unique<Predictor>(Predictor::load(run.model_file, registry));
        second = std::make_unique<Predictor>(Predictor::load(run.model_file, registry));
        export_model(again_file, first->recipe(), *first->blocks(), *first->model(), registry);
        third = std::make_unique<Predictor>(Predictor::load(again_file, registry));
      }))
    return;
  const std::string s = state_difference(read_manifest(run.model_file)["blocks"], read_manifest(again_file)["blocks"]);
  EXPECT_TRUE(s.empty()) << who << ": the block states of an export and of its reloaded-and-re-exported copy differ ("
                         << s << "): load_state() does not restore what state() saved";
  Records predict;
  if (!attempt(who, "reading predict_inputs() with the export's reader", [&] { predict = first->read_inputs(inputs); }))
    return;
  check_predict_inputs_unseen(who, train, predict, first->blocks()->input_columns(), inputs);
  for (const Records* rows : std::vector<const Records*>{&predict, &valid_rows}) {
    if (rows->empty()) continue;
    const std::string which = rows == &predict ? "predict_inputs()" : "validation rows";
    torch::Tensor trained, loaded, loaded_again, reloaded, reexported;
    if (!attempt(who, "predicting " + which, [&] {
          trained = run.learner->outputs(*rows);
          loaded = first->outputs(*rows);
          loaded_again = first->outputs(*rows);
          reloaded = second->outputs(*rows);
          reexported = third->outputs(*rows);
        }))
      continue;
    expect_same_outputs(who, trained, loaded, "on " + which + ", the reloaded export predicts differently from the "
                                              "trained model: state() misses something, or a buffer is not saved");
    expect_same_outputs(who, loaded, loaded_again, "predicting " + which + " twice with one loaded export differs");
    expect_same_outputs(who, loaded, reloaded, "two loads of one export predict " + which + " differently");
    expect_same_outputs(who, loaded, reexported, "a re-exported export predicts " + which + " differently");
  }
  std::vector<json> predictions;
  if (attempt(who, "predict() on predict_inputs()", [&] { predictions = first->predict(predict); })) {
    EXPECT_EQ(predictions.size(), predict.size()) << who << ": one prediction per record";
  }
}

}  // namespace detail

// Runs the demo named `demo` (registered in `registry`) under `work_dir` (created; left for
// inspection): generate twice, train its recipe with a tiny budget, export, reload, predict.
inline void check_demo(const Registry& registry, const std::string& demo, const std::filesystem::path& work_dir,
                       const DemoCheckOptions& options = {}) {
  const std::string who = "demo " + demo;
  std::shared_ptr<Demo> d;
  json spec = options.demo_options;
  spec["name"] = demo;
  if (!detail::attempt(who, "creation", [&] { d = registry.demo(spec, "demo"); })) return;
  // Twice into the same folder, so files that record their own paths compare equal too.
  const auto data = work_dir / "data";
  std::map<std::string, std::string> first;
  for (int round = 0; round < 2; ++round) {
    if (round == 1) first = detail::file_tree(data);
    std::filesystem::remove_all(data);
    std::filesystem::create_directories(data);
    if (!detail::attempt(who, "generate()", [&] { d->generate(data, options.seed); })) return;
  }
  detail::check_same_files(who, first, data);

  const json recipe = with_tiny_budget(d->recipe(data), options.epochs);
  std::vector<std::string> inputs;
  std::vector<std::string> inputs_again;
  if (!detail::attempt(who, "predict_inputs()", [&] { inputs = d->predict_inputs(data), inputs_again = d->predict_inputs(data); }))
    return;
  EXPECT_EQ(inputs, inputs_again) << who << ": predict_inputs() changes between calls";
  EXPECT_FALSE(inputs.empty()) << who << ": predict_inputs() is empty; `adapt demo` predicts them after reloading";
  std::ostringstream log;
  auto state = detail::read_recipe_data(registry, recipe, log);
  if (!state) return;
  const Records train = state->records->subset(state->split.train);
  std::vector<size_t> valid = state->split.valid;
  valid.resize(std::min(valid.size(), options.checks.max_rows));
  const Records valid_rows = state->records->subset(valid);
  detail::check_export_round_trip(who, registry, recipe, work_dir / "run", inputs, train, valid_rows);
}

}  // namespace adapt::testing
