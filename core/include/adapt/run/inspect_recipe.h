#pragma once
// `adapt inspect`: a recipe's data audited without training a network (docs/inspect.md). It runs the
// first stages of train_recipe (resolve_defaults, read_and_split, setup_blocks) and then the audit
// (inspect/inspect.h), with the recipe's first baseline (core.logistic when it names none) for the
// out-of-fold probabilities of the label-issue search.
#include <filesystem>
#include <memory>
#include <ostream>

#include "adapt/inspect/inspect.h"
#include "adapt/plugin/registry.h"

namespace adapt {

struct InspectRunOptions {
  std::filesystem::path out_dir;  // inspect.json and the CSVs; empty: no files
  std::ostream* out = nullptr;    // the "data: ..." line; nullptr: std::cout
  bool label_issues = true;       // false skips them, whatever the recipe's inspect section says
};

struct InspectResult {
  InspectReport report;
  std::shared_ptr<const Records> records;
  SplitIndices split;
};

// Throws like train_recipe for a bad recipe or data; the audit's own problems (a target without
// classes, too few rows for the folds, a failing baseline) are notes in the report.
ADAPT_API InspectResult inspect_recipe(const json& recipe, const InspectRunOptions& options, const Registry& registry);

}  // namespace adapt
