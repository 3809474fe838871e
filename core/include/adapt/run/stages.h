#pragma once
// The stages of train_recipe, each a function of the run's state, short and testable on its own:
//   resolve_defaults -> read_and_split -> setup_blocks -> build_learner -> fit_phases ->
//   evaluate -> interpret -> build_monitor -> export_and_record
// train_recipe (train_recipe.h) runs them in this order. What differs in data-parallel training lives
// in RunContext alone, not in branches through the stages.
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "adapt/baseline/baseline.h"
#include "adapt/data/data_loader.h"
#include "adapt/monitor/monitor_reference.h"
#include "adapt/run/train_recipe.h"
#include "adapt/train/learner.h"

namespace adapt {

// Where a run prints and writes, and what one process of a data-parallel run does differently: only
// the main rank prints, evaluates and writes; each rank loads its shard of every global batch; the
// ranks agree on values that one of them measured (lr_find's suggestion).
class ADAPT_API RunContext {
 public:
  explicit RunContext(const RunOptions& options);
  RunContext(const RunContext&) = delete;
  RunContext& operator=(const RunContext&) = delete;

  std::ostream& out() { return *out_; }
  bool is_main() const { return main_; }
  // The run directory this process writes to; empty when it writes nothing (options or rank).
  const std::filesystem::path& dir() const { return dir_; }
  // Where a checkpoint to resume from is read (every rank reads it).
  const std::filesystem::path& resume_dir() const { return resume_dir_; }
  bool resume() const { return options_.resume; }
  bool resume_or_start() const { return options_.resume_or_start; }
  bool final_run() const { return options_.final_run; }
  const std::filesystem::path& test_ledger() const { return options_.test_ledger; }
  bool progress() const { return options_.progress; }

  // This process's share of the training loader: loader.batch_size stays the global batch, so results
  // and checkpoints do not depend on the process count. Throws OptionError when it does not divide.
  DataLoaderOptions train_loader(const DataLoaderOptions& global) const;
  // Keeps the ranks' weights identical (all-reduce of gradients); nothing in one process.
  void attach(Learner& learner) const;
  // Rank 0's value on every rank.
  double agree(double value, const std::string& what) const;
  // What run.json records about the processes (null in one process).
  json describe(const DataLoaderOptions& train_loader) const;

 private:
  RunOptions options_;
  std::shared_ptr<DistributedContext> dist_;  // null unless data-parallel with world size > 1
  bool main_ = true;
  std::ostream discard_{nullptr};
  std::ostream* out_;
  std::filesystem::path dir_, resume_dir_;
};

// Everything a run builds, stage by stage; RunResult is filled by evaluate and export_and_record.
struct RunState {
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  // resolve_defaults
  json recipe;  // the given recipe with seed and splitter settled
  json filled;  // every component's defaults filled in: what run.json and the export record
  std::string recipe_hash;  // of `filled` (less loader.workers): checkpoints record it, --resume checks it
  uint64_t seed = 42;
  TrainPlan plan;
  InterpretPlan interpret;
  DataLoaderOptions loader, train_loader;  // global batch; this process's share
  int64_t valid_batch_size = 0;
  // read_and_split
  std::shared_ptr<const Records> records;
  SplitIndices split;               // test left empty while the test part is sealed
  std::vector<size_t> sealed_test;  // the test rows of a run that may not score them (RunOptions::final_run)
  std::string data_hash;
  // setup_blocks
  std::shared_ptr<DataBlocks> blocks;
  std::vector<std::shared_ptr<const Transform>> transforms;
  std::vector<std::string> warnings;
  // build_learner
  DataLoaders loaders;
  std::shared_ptr<Model> model;
  std::shared_ptr<Loss> loss;
  std::vector<std::shared_ptr<Metric>> metrics;
  json added_metrics = json::array();  // specs added to the recipe's metrics (the imbalanced default's mcc)
  bool primary_higher = true;          // whether result.primary_metric is better when higher
  std::shared_ptr<Learner> learner;
  std::filesystem::path best_file;  // save_best's weights; a temporary file when the run writes none
  // evaluate, interpret
  RunResult result;
  json verdicts = json::array();
  json interpretation = json::object();
  std::map<Split, Predictions> predictions;  // split_predictions' cache: the model is final by then
  // build_monitor
  MonitorReference monitor;
};

// The interpretation's top losses explained by occlusion (explain/explain.h) through the export just
// written: top_losses_explained.json, which report.html draws beside each item. A failure is a warning.
ADAPT_API void explain_top_losses(RunState& state, const Registry& registry, RunContext& ctx);

// The trained model's predictions on a scored split, computed once for every stage that reads them.
ADAPT_API const Predictions& split_predictions(RunState& state, Split split);

// Validates the recipe and settles its seed, splitter, train/interpret sections and loader options.
ADAPT_API RunState resolve_defaults(const json& recipe, const Registry& registry, const RunContext& ctx);
// Reads the records and splits them; checks that there is something to train on and to score. Seals
// the test part (moves it to sealed_test) unless the run is final or has no validation part.
ADAPT_API void read_and_split(RunState& state, const Registry& registry, RunContext& ctx);
// Builds the blocks and sets them up on the training split (or from state_from), prints the data
// warnings and builds the transforms.
ADAPT_API void setup_blocks(RunState& state, const Registry& registry, RunContext& ctx);
// Loaders, model, loss, metrics (and the primary metric: the recipe's, else MCC or balanced accuracy
// when the labels are imbalanced, else the first) and the learner with the train section's callbacks.
ADAPT_API void build_learner(RunState& state, const Registry& registry, RunContext& ctx);
// The train section's phases (resuming from a checkpoint when asked), lr_find where lr is "find".
ADAPT_API void fit_phases(RunState& state, RunContext& ctx);
// Metrics on valid and test, the baselines on the same rows, the verdicts and the reports.
ADAPT_API void evaluate(RunState& state, const Registry& registry, RunContext& ctx);
// core.fusion with "ablate": true: each branch's encoder trained alone (its own head) with the same
// data, split and training section; {"branch NAME": {"description", "valid", "test"}}, else {}.
ADAPT_API json fusion_ablations(const RunState& state, const Registry& registry, RunContext& ctx);
// core.fusion whose branches each name a "baseline": those baselines stacked by a logistic (ridge)
// regression on their out-of-fold predictions; {"stacked baselines": entry}, else {}.
ADAPT_API json fusion_stacked_baseline(RunState& state, const Registry& registry, RunContext& ctx);
// Whether the fused network beats its best rival (branches alone, stacked baselines) on the primary
// metric (`key`, better when `higher`); null when the run has no such rows.
ADAPT_API json fusion_verdict(const json& metrics, const json& baselines, const std::string& key, bool higher);
// The run's metrics afresh (the recipe's or the target's defaults, plus state.added_metrics): baselines
// are scored with their own instances.
ADAPT_API std::vector<std::shared_ptr<Metric>> run_metrics(const RunState& state, const Registry& registry);
// Fits a baseline on the training split and scores it on valid and test with the run's metrics and
// loss; a failure is recorded in the entry ("error") and warned about, not thrown. A baseline the run
// added on its own (`required` false) that does not apply is left out with a note: null.
ADAPT_API json score_baseline(Baseline& baseline, const std::string& name, RunState& state, const Registry& registry,
                              RunContext& ctx, bool required = true);
// The recipe's "slices" (columns): every metric of the network per value of each column on valid (and
// test in a final run), worst first on the primary metric; printed, and slices.csv plus
// slices_<column>.svg in the run directory. {"<column>": [rows...]}, or {} without slices.
ADAPT_API json evaluate_slices(RunState& state, const Registry& registry, RunContext& ctx);
// A single-label classifier with a validation part: the temperature fitted on valid, ECE before and
// after on valid (and test in a final run), reliability.svg; the export stores the temperature and
// predict applies it. Null for other targets.
ADAPT_API json calibrate(RunState& state, RunContext& ctx);
// The out-of-domain scorer (fitted on training rows, its threshold on valid; the recipe's
// "out_of_domain") and the drift reference the export keeps; a summary in result.reports["out_of_domain"].
ADAPT_API void build_monitor(RunState& state, RunContext& ctx);
// Confusion matrix, most confused pairs, top losses and the learning curves.
ADAPT_API void interpret(RunState& state, RunContext& ctx);
// model.adapt, run.json and metrics.json in the run directory.
ADAPT_API void export_and_record(RunState& state, const Registry& registry, RunContext& ctx);

}  // namespace adapt
