#pragma once
// Baseline: a simple non-deep model fitted on the same training split as the network and scored with
// the same metrics on the same validation/test rows, so every run says whether deep learning helped.
#include <torch/types.h>

#include <string>
#include <vector>

#include "adapt/data/data_blocks.h"
#include "adapt/data/splitter.h"

namespace adapt {

struct BaselineContext {
  const Records& records;
  const SplitIndices& split;
  const DataBlocks& blocks;  // fitted on the training rows
};

class ADAPT_API Baseline {
 public:
  virtual ~Baseline();
  virtual std::string description() const = 0;
  // Fits on ctx.split.train only.
  virtual void fit(const BaselineContext& ctx) = 0;
  // Predictions for `rows` in the model's output format: log-probabilities for classification
  // (n_rows x n_classes), values for regression (n_rows x 1).
  virtual torch::Tensor predict(const BaselineContext& ctx, const std::vector<size_t>& rows) const = 0;
};

}  // namespace adapt
