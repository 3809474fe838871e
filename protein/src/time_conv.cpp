#include "time_conv.h"

#include <ATen/Context.h>
#include <ATen/ops/addmm.h>
#include <ATen/ops/mkldnn_convolution.h>
#include <ATen/ops/mkldnn_reorder_conv2d_weight.h>
#include <c10/core/GradMode.h>

namespace adapt::protein {

// Channels-first, not as a height-1 channels-last 2-D convolution on the same bytes, though that
// skips oneDNN's layout conversions (predicting 20,000 AMP peptides 16.1 -> 13.6 s): this Debian
// oneDNN's channels-last kernels return garbage for some widths (kernel 9, dilation 1 on 7
// positions; kernel 5, dilation 2 on 7; ...), silently, for every row of such a batch (test
// ProteinModels.APeptideScoresTheSameWhateverItsBatch).
TimeConv::TimeConv(torch::nn::Conv1d conv) : conv_(std::move(conv)) {}

namespace {

// As protein.cnn builds its convolutions: zero padding by a count, one group, stride 1.
int64_t kernel_of(const torch::nn::detail::ConvNdOptions<1>& o) { return (*o.kernel_size())[0]; }
int64_t padding_of(const torch::nn::detail::ConvNdOptions<1>& o) { return (*c10::get<torch::ExpandingArray<1>>(o.padding()))[0]; }
int64_t dilation_of(const torch::nn::detail::ConvNdOptions<1>& o) { return (*o.dilation())[0]; }

}  // namespace

torch::Tensor TimeConv::operator()(const torch::Tensor& x) const {
  const bool one = x.size(0) == 1 && x.scalar_type() == torch::kFloat && !c10::GradMode::is_enabled();
  if (one && (kernel_of(conv_->options) == 1 || at::hasMKLDNN())) return one_sequence(x);
  return conv_.ptr()->forward(x.transpose(1, 2)).transpose(1, 2);
}

// One sequence at prediction (a served request). LibTorch runs a batch of one through its im2col
// kernel and larger batches through oneDNN, whose channels-first kernel is 1.6-2.3x faster here for
// these widths (kernel 9, 128 channels, 20-80 positions), so it is called directly, with the weight
// in oneDNN's layout made once (otherwise every call reorders it: ~50 of ~130 us). Its batch-one
// results matched a float64 reference on 6,180 shapes (kernels 3-25, dilations 1-8, widths to 3x the
// reach; bench/README.md). A 1x1 convolution is one matrix product on the time-major rows.
torch::Tensor TimeConv::one_sequence(const torch::Tensor& x) const {
  const auto& o = conv_->options;
  const torch::Tensor& w = conv_->weight;
  if (kernel_of(o) == 1)
    return at::addmm(conv_->bias, x.reshape({x.size(1), x.size(2)}), w.view({w.size(0), w.size(1)}).t())
        .unsqueeze(0);
  const torch::Tensor in = x.transpose(1, 2).unsqueeze(2).contiguous().to_mkldnn();
  return at::mkldnn_convolution(in, packed_weight(), conv_->bias, {0, padding_of(o)}, {1, 1}, {1, dilation_of(o)}, 1)
      .to_dense()
      .squeeze(2)
      .transpose(1, 2);
}

torch::Tensor TimeConv::packed_weight() const {
  const torch::Tensor& w = conv_->weight;
  const auto& o = conv_->options;
  std::lock_guard<std::mutex> lock(packed_->mutex);
  if (!packed_->weight.defined() || packed_->version != w._version() || packed_->source.data_ptr() != w.data_ptr()) {
    packed_->weight = at::mkldnn_reorder_conv2d_weight(w.detach().unsqueeze(2).contiguous().to_mkldnn(),
                                                       {0, padding_of(o)}, {1, 1}, {1, dilation_of(o)}, 1);
    packed_->source = w.detach();
    packed_->version = w._version();
  }
  return packed_->weight;
}

}  // namespace adapt::protein
