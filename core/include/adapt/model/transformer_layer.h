#pragma once
// One pre-LayerNorm Transformer encoder layer (as in GPT-2 and ESM): x + attn(ln(x)), then
// h + ff(ln(h)) with a GELU feed-forward. The one layer every Transformer in adapt is built from
// (text, protein, the fusion combiner). A stack of them wants a final LayerNorm.
#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>

#include "adapt/common/error.h"

namespace adapt {

struct TransformerLayerOptions {
  int64_t d_model = 128;
  int64_t n_heads = 4;  // must divide d_model
  int64_t ff_size = 512;
  double dropout = 0.1;
};

class ADAPT_API TransformerLayerImpl : public torch::nn::Module {
 public:
  // Throws OptionError when n_heads does not divide d_model.
  explicit TransformerLayerImpl(const TransformerLayerOptions& options);
  // x [B,T,D]; bias [B,1,1,T] added to the attention scores (attention_bias), or undefined for none.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& bias = {});

 private:
  TransformerLayerOptions options_;
  torch::nn::LayerNorm ln1_{nullptr}, ln2_{nullptr};
  torch::nn::Linear qkv_{nullptr}, out_{nullptr}, ff1_{nullptr}, ff2_{nullptr};
};
TORCH_MODULE(TransformerLayer);

// The attention bias for a [B,T] mask that is true on real positions: 0 there, -1e9 on padding.
ADAPT_API torch::Tensor attention_bias(const torch::Tensor& mask, torch::Dtype dtype);

}  // namespace adapt
