#pragma once
// Loss: model output and target -> scalar (mean) or one loss per item (for top-losses reports).
#include <torch/types.h>

#include "adapt/common/error.h"

namespace adapt {

class ADAPT_API Loss {
 public:
  virtual ~Loss();
  // Per-item losses, shape [batch]; sequence outputs are averaged over their non-ignored positions.
  virtual torch::Tensor per_item(const torch::Tensor& output, const torch::Tensor& target) const = 0;
  // The training loss; the default is the mean of per_item.
  virtual torch::Tensor operator()(const torch::Tensor& output, const torch::Tensor& target) const;
};

}  // namespace adapt
