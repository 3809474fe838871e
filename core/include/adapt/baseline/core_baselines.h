#pragma once
// The core baselines: core.constant (every target: the training prior or mean, ignoring the inputs),
// core.logistic (classification targets) and core.linear (regression targets). Features are every floating-point tensor the input blocks encode for a row with
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

// What a model that never looks at its input predicts: the training split's class frequencies
// (log-probabilities, smoothed by one count per class) for single-label classification, each label's
// prevalence as logits for multi-label targets, the mean for regression. Every run scores it: a network
// that does not beat it has learned nothing from its inputs.
class ADAPT_API ConstantBaseline : public Baseline {
 public:
  std::string description() const override;
  void fit(const BaselineContext& ctx) override;
  torch::Tensor predict(const BaselineContext& ctx, const std::vector<size_t>& rows) const override;

 private:
  std::string kind_;      // "majority class", "label prevalence", "mean"
  torch::Tensor output_;  // float [n_outputs]: the one prediction for every row
};

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
