#include "adapt/model/transformer_layer.h"

#include <torch/nn/functional/activation.h>
#include <torch/torch.h>

#include <cmath>

namespace adapt {

TransformerLayerImpl::TransformerLayerImpl(const TransformerLayerOptions& o) : options_(o) {
  if (o.n_heads < 1 || o.d_model % o.n_heads != 0)
    throw OptionError("model.d_model: must be a multiple of n_heads (" + std::to_string(o.n_heads) + "), got " +
                      std::to_string(o.d_model));
  const int64_t d = o.d_model;
  ln1_ = register_module("ln1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({d})));
  qkv_ = register_module("qkv", torch::nn::Linear(d, 3 * d));
  out_ = register_module("out", torch::nn::Linear(d, d));
  ln2_ = register_module("ln2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({d})));
  ff1_ = register_module("ff1", torch::nn::Linear(d, o.ff_size));
  ff2_ = register_module("ff2", torch::nn::Linear(o.ff_size, d));
}

torch::Tensor TransformerLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& bias) {
  const int64_t b = x.size(0), t = x.size(1), d = x.size(2), heads = options_.n_heads, dh = d / heads;
  const double p = options_.dropout;
  auto qkv = qkv_->forward(ln1_->forward(x)).view({b, t, 3, heads, dh}).permute({2, 0, 3, 1, 4});
  auto q = qkv[0], k = qkv[1], v = qkv[2];  // [B,H,T,dh]
  auto scores = torch::matmul(q, k.transpose(-2, -1)) / std::sqrt(static_cast<double>(dh));
  if (bias.defined()) scores = scores + bias;
  auto attn = torch::dropout(torch::softmax(scores, -1), p, is_training());
  auto ctx = torch::matmul(attn, v).transpose(1, 2).reshape({b, t, d});
  auto h = x + torch::dropout(out_->forward(ctx), p, is_training());
  auto f = ff2_->forward(torch::dropout(torch::gelu(ff1_->forward(ln2_->forward(h))), p, is_training()));
  return h + torch::dropout(f, p, is_training());
}

torch::Tensor attention_bias(const torch::Tensor& mask, torch::Dtype dtype) {
  return torch::zeros(mask.sizes(), torch::TensorOptions().dtype(dtype))
      .masked_fill(mask.logical_not(), -1e9)
      .view({mask.size(0), 1, 1, mask.size(1)});
}

}  // namespace adapt
