#pragma once
// What every check of the audit reads: the records, the split, which columns are inputs, target and
// groups, and the thresholds (InspectOptions; docs/inspect.md explains each).
#include <cstdint>
#include <string>
#include <vector>

#include "adapt/common/options.h"
#include "adapt/data/data_blocks.h"
#include "adapt/data/splitter.h"

namespace adapt {

struct InspectOptions {
  std::vector<std::string> groups;  // columns whose values group rows (speaker, patient, user)
  bool label_issues = true;         // confident learning over out-of-fold baseline probabilities
  // Whose out-of-fold probabilities: "baseline" (the recipe's first, fast) or "network" (the recipe's
  // model and train section, once per fold; `adapt train` then searches too, after training).
  std::string label_issues_model = "baseline";
  int64_t folds = 5;                // of the out-of-fold probabilities
  uint64_t seed = 42;               // assigns training rows to folds
  double mostly_missing = 0.5;      // share of missing values that makes a column "mostly missing"
  double outlier_iqr = 3.0;         // a number beyond Q1 - k IQR or Q3 + k IQR is an outlier
  size_t small_sample = 1000;       // rows of the smaller sample up to which drift is a test (p-value), above a distance
  double drift_p_value = 0.05;      // KS / chi-squared: drift below this p-value
  double drift_distance = 0.1;      // Wasserstein (normed) / Jensen-Shannon: drift at or above this
  double leakage_auroc = 0.95;      // one column alone reaching this validation AUROC is "too good to be true"
  double dominant_group = 0.5;      // one group holding more than this share of a split dominates it
  size_t max_label_issues = 1000;   // rows listed in label_issues.csv, at most
  // {"groups", "label_issues", "folds", ...} from a recipe's "inspect" section; errors name the key.
  static InspectOptions from_json(const json& section, uint64_t seed);
};

struct InspectInput {
  const Records& records;
  const SplitIndices& split;
  std::vector<std::string> inputs;   // the input blocks' columns
  std::string target;                // the target column; empty when the target reads several
  std::vector<std::string> classes;  // the target's classes; empty for a regression
  bool single_label = false;         // one class per row (cross-entropy): label issues apply
};

// The columns and target kind from the recipe's blocks (set up on the training split).
ADAPT_API InspectInput inspect_input(const Records& records, const SplitIndices& split, const DataBlocks& blocks);

// Rows of a split by name ("train", "valid", "test").
ADAPT_API const std::vector<size_t>& split_rows(const SplitIndices& split, const std::string& name);

}  // namespace adapt
