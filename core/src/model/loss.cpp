#include "adapt/model/loss.h"

namespace adapt {

Loss::~Loss() = default;

torch::Tensor Loss::operator()(const torch::Tensor& output, const torch::Tensor& target) const {
  return per_item(output, target).mean();
}

}  // namespace adapt
