#pragma once
// The core baselines: core.logistic (classification targets) and core.linear (regression
// targets). Features are every floating-point tensor the input blocks encode for a row with
// Split::valid (no augmentation), flattened and concatenated; masks and lengths are left out.
// Models are fitted on the training rows only and standardise with training statistics.
#include <torch/types.h>

#include <memory>
#include <vector>

#include "adapt/baseline/baseline.h"
#include "adapt/baseline/linear_model.h"

namespace adapt {

// Feature matrix float [rows, d] as described above. Throws adapt::Error when the blocks give no
// float tensors, or rows differ in feature count (variable-length inputs), naming the row.
ADAPT_API torch::Tensor baseline_features(const BaselineContext& ctx, const std::vector<size_t>& rows);

// Encoded targets of `rows` (the target block's main tensor, stacked).
ADAPT_API torch::Tensor baseline_targets(const BaselineContext& ctx, const std::vector<size_t>& rows);

class ADAPT_API LogisticBaseline : public Baseline {
 public:
  explicit LogisticBaseline(LogisticRegressionOptions options = {});
  std::string description() const override;
  void fit(const BaselineContext& ctx) override;
  // float log-probabilities [rows, n_outputs of the target block].
  torch::Tensor predict(const BaselineContext& ctx, const std::vector<size_t>& rows) const override;

 private:
  LogisticRegressionOptions options_;
  LogisticRegression model_;
};

class ADAPT_API LinearBaseline : public Baseline {
 public:
  explicit LinearBaseline(RidgeRegressionOptions options = {});
  std::string description() const override;
  void fit(const BaselineContext& ctx) override;
  // float values [rows, K] (K = 1 for a single regression target).
  torch::Tensor predict(const BaselineContext& ctx, const std::vector<size_t>& rows) const override;

 private:
  RidgeRegressionOptions options_;
  RidgeRegression model_;
  int64_t target_dims_ = 1;
};

}  // namespace adapt
