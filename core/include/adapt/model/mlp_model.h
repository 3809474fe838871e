#pragma once
// core.mlp: a multi-layer perceptron over the flattened float tensor at batch key "x" (or `input`),
// fastai's tabular head: [Linear -> ReLU -> BatchNorm -> Dropout] per hidden layer, then a Linear
// output. Layer groups: one per hidden layer plus the output layer (freeze / discriminative lrs).
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>

#include <string>
#include <vector>

#include "adapt/model/model.h"

namespace adapt {

struct MlpOptions {
  int64_t in_features = 0;  // from the input block's dims()
  int64_t out_features = 0;  // the target's n_outputs
  std::vector<int64_t> layers = {200, 100};
  double dropout = 0.0;    // after each hidden layer
  bool batchnorm = true;   // after each hidden activation
  std::string input = "x";
  // From the target block's dims() "y_range": outputs pass through a sigmoid scaled to [low, high]
  // (fastai's y_range for regression).
  std::vector<double> y_range;
};

class ADAPT_API MlpModel : public Model {
 public:
  explicit MlpModel(MlpOptions options);
  torch::Tensor forward(const Batch& batch) override;
  // The last hidden layer's activations (the input itself when there are no hidden layers).
  torch::Tensor embed(const Batch& batch) override;
  torch::Tensor forward_from_embedding(const torch::Tensor& embedding) override;
  int64_t embedding_width() const override {
    return options_.layers.empty() ? options_.in_features : options_.layers.back();
  }
  std::vector<std::vector<torch::Tensor>> layer_groups() override;
  const MlpOptions& options() const { return options_; }

 private:
  MlpOptions options_;
  std::vector<torch::nn::Sequential> hidden_;
  torch::nn::Linear head_{nullptr};
};

// Input width of a block from its dims(): "n_features", "features", "width" or "size", or the
// product of "shape". Throws OptionError naming the key and the dims when none is there.
ADAPT_API int64_t input_width(const ModelContext& ctx, const std::string& key);

}  // namespace adapt
