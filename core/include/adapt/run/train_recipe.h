#pragma once
// train_recipe: the whole run a recipe describes, stage by stage (run/stages.h): read and split ->
// set up blocks -> loaders and model -> fit phases -> evaluate (valid, test once, baselines) ->
// interpret -> export and run record.
#include <filesystem>
#include <iosfwd>
#include <memory>

#include "adapt/recipe/recipe.h"

namespace adapt {

class DistributedContext;
class Learner;

struct RunOptions {
  std::filesystem::path out_dir;  // run directory: model.adapt, history, plots, reports; empty: no files
  std::ostream* out = nullptr;    // human-readable progress; nullptr: std::cout
  bool progress = true;           // live progress bar / per-epoch table
  bool write_files = true;        // plots, CSVs, model.adapt
  // Continue from out_dir/checkpoint.pt (written by train.checkpoint), skipping the phases and epochs
  // it finished; the result equals an uninterrupted run. Without a checkpoint the run stops with an
  // Error, unless resume_or_start; a checkpoint another recipe wrote is refused.
  bool resume = false;
  bool resume_or_start = false;
  // A directory that holds a finished run (run.json) is not trained into again unless overwrite (CLI
  // --force) or resume; overwrite first removes the old run's record and checkpoint.
  bool overwrite = false;
  // A run with a validation part keeps its test part sealed: not scored, printed or recorded, so that
  // choosing settings never looks at it. A final run (this flag, `adapt train --final`, or a split
  // without a validation part) scores it, and the test ledger counts how often that happened.
  bool final_run = false;
  std::filesystem::path test_ledger;  // the ledger's file; empty: default_test_ledger_file()
  // Data-parallel training (docs/distributed.md); null or world size 1: one process. loader.batch_size
  // stays the global batch (each rank takes batch_size / world_size); only rank 0 prints and writes.
  std::shared_ptr<DistributedContext> distributed;
};

// A run that prints into `log`, without a progress bar, and writes no files: for the stages run for
// another purpose (inspect, sanity, show-batch, the network's label-issue folds).
ADAPT_API RunOptions quiet_run_options(std::ostream& log);

struct RunResult {
  json metrics;    // {"valid": {...}, "test": {...} (a final run with a test part)}
  json baselines;  // {"<baseline name>": {"valid": {...}, "test": {...}}, ...}
  json reports;    // {"<report name>": ...}
  // {"rows", "sealed": bool, "scored": times the ledger has seen this test part scored, this run included}
  json test_part;
  std::string primary_metric;  // the metric the headline verdict judges on
  json slices;       // {"<column>": {"valid": [{"value", "rows", metrics...}, ...] worst first, "test": ...}}
  json calibration;  // {"temperature", "valid": {"ece_before", "ece_after"}, "test": ...}; null: not a classifier
  std::filesystem::path model_file;  // the export, when written
  std::shared_ptr<Learner> learner;  // the trained learner, for further use in tests and hosts
};

RunResult train_recipe(const json& recipe, const RunOptions& options, const Registry& registry);

}  // namespace adapt
