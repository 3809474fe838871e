#pragma once
// A small Transformer encoder classifier: token + learned position embeddings, the core's pre-norm
// encoder layers (adapt/model/transformer_layer.h) with padding masked out of attention, a final
// LayerNorm, masked mean pooling, a linear head.
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

#include "adapt/model/model.h"
#include "adapt/model/transformer_layer.h"

namespace adapt::text {

struct TransformerClassifierOptions {
  int64_t vocab_size = 0;
  int64_t pad_id = 3;
  int64_t max_len = 512;
  int64_t d_model = 128;
  int64_t n_heads = 4;
  int64_t n_layers = 2;
  int64_t ff_size = 256;
  double dropout = 0.1;
};

class TransformerClassifier : public Model {
 public:
  TransformerClassifier(const TransformerClassifierOptions& options, int64_t n_outputs, std::string key);
  torch::Tensor forward(const Batch& batch) override;
  // Masked mean of the last layer's states: what the head reads.
  torch::Tensor embed(const Batch& batch) override;
  torch::Tensor forward_from_embedding(const torch::Tensor& embedding) override;
  int64_t embedding_width() const override { return options_.d_model; }
  // Every group but the head; the final norm, which the embedding passes through, stays.
  std::vector<std::vector<torch::Tensor>> encoder_layer_groups() override;
  std::vector<std::vector<torch::Tensor>> layer_groups() override;

 private:
  TransformerClassifierOptions options_;
  std::string key_;
  torch::nn::Embedding tokens_{nullptr}, positions_{nullptr};
  std::vector<TransformerLayer> layers_;
  torch::nn::LayerNorm norm_{nullptr};
  torch::nn::Linear head_{nullptr};
};

}  // namespace adapt::text
