#include "adapt/model/fusion_combiner.h"

#include <torch/torch.h>


namespace adapt {

namespace nn = torch::nn;

FusionCombinerImpl::FusionCombinerImpl(const std::vector<int64_t>& branch_widths, const FusionCombinerOptions& options)
    : options_(options) {
  if (options_.kind == "concat") {
    for (int64_t w : branch_widths) width_ += w;
    return;
  }
  if (options_.kind != "gated" && options_.kind != "attention")
    throw OptionError("model.combiner: \"" + options_.kind + "\" is not a combiner; use concat, gated or attention");
  width_ = options_.width;
  // LayerNorm after the projection puts branches of very different scales on one footing.
  for (size_t b = 0; b < branch_widths.size(); ++b)
    projections_.push_back(register_module(
        "project" + std::to_string(b),
        nn::Sequential(nn::Linear(branch_widths[b], width_), nn::LayerNorm(nn::LayerNormOptions({width_})))));
  const auto n = static_cast<int64_t>(branch_widths.size());
  if (options_.kind == "gated") {
    score_ = register_module("score", nn::Linear(width_, 1));
    return;
  }
  summary_token_ = register_parameter("summary_token", torch::randn({1, 1, width_}) * 0.02);
  modality_embedding_ = register_parameter("modality_embedding", torch::randn({1, n, width_}) * 0.02);
  for (int64_t l = 0; l < options_.n_layers; ++l)
    layers_.push_back(register_module("layer" + std::to_string(l),
                                      TransformerLayer(TransformerLayerOptions{width_, options_.n_heads, 2 * width_,
                                                                               options_.dropout})));
  final_norm_ = register_module("final_norm", nn::LayerNorm(nn::LayerNormOptions({width_})));
}

torch::Tensor FusionCombinerImpl::project(const std::vector<torch::Tensor>& embeddings) {
  std::vector<torch::Tensor> tokens;
  for (size_t b = 0; b < embeddings.size(); ++b) tokens.push_back(projections_[b]->forward(embeddings[b]));
  return torch::stack(tokens, 1);  // [B, branches, width]
}

torch::Tensor FusionCombinerImpl::forward(const std::vector<torch::Tensor>& embeddings) {
  if (options_.kind == "concat") return torch::cat(embeddings, 1);
  torch::Tensor tokens = project(embeddings);
  if (options_.kind == "gated") {
    torch::Tensor weights = torch::softmax(score_->forward(torch::tanh(tokens)).squeeze(-1), 1);  // [B, branches]
    last_weights_ = weights.detach();
    return (weights.unsqueeze(-1) * tokens).sum(1);
  }
  torch::Tensor x = torch::cat({summary_token_.expand({tokens.size(0), 1, width_}), tokens + modality_embedding_}, 1);
  for (auto& layer : layers_) x = layer->forward(x);
  return final_norm_->forward(x.select(1, 0));
}

}  // namespace adapt
