#pragma once
// Label issues by confident learning (Northcutt, Jiang and Chuang 2021; cleanlab's find_label_issues
// with filter_by="prune_by_noise_rate"): from out-of-fold predicted probabilities, count the confident
// joint of given and true labels, calibrate it to the class counts, and for each pair (given i, true j)
// take the C[i][j] rows labelled i with the largest margin p_j - p_i. Rows the model itself predicts as
// labelled are left out. Ranked by self-confidence (the probability of the given label), lowest first.
#include <torch/types.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "adapt/baseline/baseline.h"
#include "adapt/inspect/findings.h"
#include "adapt/inspect/inspect_input.h"

namespace adapt {

struct LabelIssue {
  size_t index = 0;  // into the rows given to find_label_issues
  int64_t given = 0, suggested = 0;
  double given_probability = 0.0, suggested_probability = 0.0;
};

// `probabilities` [n, K] (rows sum to 1), `labels` [n] in 0..K-1.
ADAPT_API std::vector<LabelIssue> find_label_issues(const torch::Tensor& probabilities, const torch::Tensor& labels);

using MakeBaseline = std::function<std::shared_ptr<Baseline>()>;

// Out-of-fold probabilities of the training rows from `make_baseline` (InspectOptions::folds folds,
// stratified), then find_label_issues; adds report.sections["label_issues"] with each issue's row,
// origin, given and suggested label, probabilities and raw input values. A target that is not
// single-label classification, too few rows for the folds, or a baseline that fails, is a note.
ADAPT_API void check_label_issues(const InspectInput& in, const InspectOptions& options, const DataBlocks& blocks,
                                  const MakeBaseline& make_baseline, const std::string& baseline_name,
                                  InspectReport& report);

}  // namespace adapt
