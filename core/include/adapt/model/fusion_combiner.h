#pragma once
// How core.fusion merges its branches' embeddings ([batch, D_b] each) into one [batch, width()]:
//   concat     side by side (width: the sum of the D_b)
//   gated      each projected to `width`, then a softmax-weighted sum: a learned weight per modality
//              and sample, so an uninformative or missing modality can be turned down
//   attention  each projected to `width` as one token (plus a learned modality embedding) after a
//              summary token; a small pre-LN Transformer over them; the summary token's output
#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/pimpl.h>

#include <string>
#include <vector>

#include "adapt/common/error.h"
#include "adapt/model/transformer_layer.h"

namespace adapt {

struct FusionCombinerOptions {
  std::string kind = "concat";  // concat | gated | attention
  int64_t width = 128;          // gated and attention: the common width of every branch
  int64_t n_heads = 4;          // attention
  int64_t n_layers = 1;         // attention
  double dropout = 0.1;         // attention
};

class ADAPT_API FusionCombinerImpl : public torch::nn::Module {
 public:
  FusionCombinerImpl(const std::vector<int64_t>& branch_widths, const FusionCombinerOptions& options);
  torch::Tensor forward(const std::vector<torch::Tensor>& embeddings);
  int64_t width() const { return width_; }
  // gated: the weight of each modality for each sample [batch, branches] (for reports); else undefined.
  const torch::Tensor& last_weights() const { return last_weights_; }

 private:
  torch::Tensor project(const std::vector<torch::Tensor>& embeddings);

  FusionCombinerOptions options_;
  int64_t width_ = 0;
  std::vector<torch::nn::Sequential> projections_;
  torch::nn::Linear score_{nullptr};
  std::vector<TransformerLayer> layers_;
  torch::nn::LayerNorm final_norm_{nullptr};
  torch::Tensor summary_token_, modality_embedding_, last_weights_;
};
TORCH_MODULE(FusionCombiner);

}  // namespace adapt
