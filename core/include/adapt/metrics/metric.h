#pragma once
// Metric: accumulates over batches of (model output, target) and reports one value.
// Accumulation is weighted by batch size; every metric is defined for degenerate cases (one class
// present, an empty split) and documents what it returns there.
#include <torch/types.h>

#include <string>
#include <vector>

#include "adapt/common/error.h"

namespace adapt {

class ADAPT_API Metric {
 public:
  virtual ~Metric();
  virtual std::string name() const = 0;
  virtual bool higher_is_better() const { return true; }
  virtual void reset() = 0;
  // output: model outputs for a batch (logits, or log-probabilities from baselines); target as the
  // target block encodes it.
  virtual void accumulate(const torch::Tensor& output, const torch::Tensor& target) = 0;
  virtual double value() const = 0;
  // The target block standardises its values (core.regression's "normalize": dims()["output_scale"]):
  // scale[k] is column k's training standard deviation. A metric in the target's units (RMSE, MAE)
  // multiplies each column's errors by it, so it reports stars, not standard deviations; unit-free
  // metrics (R², accuracy) ignore it, as the default does.
  virtual void set_output_scale(const std::vector<double>& scale) { (void)scale; }
};

}  // namespace adapt
