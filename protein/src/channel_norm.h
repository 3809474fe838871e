#pragma once
// LayerNorm over the channels of x [B,T,C] at every position, the protein CNN's norm: padding never
// enters the statistics, unlike BatchNorm over padded batches. w, b [C].
#include <torch/types.h>

namespace adapt::protein {

torch::Tensor channel_norm(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b);

}  // namespace adapt::protein
