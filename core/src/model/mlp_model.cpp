#include "adapt/model/mlp_model.h"

#include <torch/nn/functional/activation.h>

#include "adapt/data/data_blocks.h"

namespace adapt {

int64_t input_width(const ModelContext& ctx, const std::string& key) {
  json dims = ctx.input_dims(key);
  for (const char* name : {"n_features", "features", "width", "size"})
    if (dims.contains(name) && dims[name].is_number_integer()) return dims[name].get<int64_t>();
  if (dims.contains("shape") && dims["shape"].is_array() && !dims["shape"].empty()) {
    int64_t n = 1;
    for (const auto& d : dims["shape"]) n *= d.get<int64_t>();
    return n;
  }
  throw OptionError("model: cannot size the input \"" + key + "\": its block's dims() " + dims.dump() +
                    " give no \"n_features\" or \"shape\"; core.mlp needs a fixed-width float input such as "
                    "core.regression");
}

MlpModel::MlpModel(MlpOptions options) : options_(std::move(options)) {
  if (options_.in_features < 1) throw OptionError("model: core.mlp needs an input width >= 1, got " + std::to_string(options_.in_features));
  if (options_.out_features < 1) throw OptionError("model: core.mlp needs n_outputs >= 1, got " + std::to_string(options_.out_features));
  int64_t width = options_.in_features;
  for (size_t i = 0; i < options_.layers.size(); ++i) {
    int64_t next = options_.layers[i];
    if (next < 1) throw OptionError("model.layers[" + std::to_string(i) + "]: must be > 0, got " + std::to_string(next));
    torch::nn::Sequential block;
    block->push_back(torch::nn::Linear(torch::nn::LinearOptions(width, next).bias(!options_.batchnorm)));
    block->push_back(torch::nn::Functional(torch::relu));
    if (options_.batchnorm) block->push_back(torch::nn::BatchNorm1d(next));
    if (options_.dropout > 0) block->push_back(torch::nn::Dropout(options_.dropout));
    hidden_.push_back(register_module("hidden" + std::to_string(i), block));
    width = next;
  }
  head_ = register_module("head", torch::nn::Linear(width, options_.out_features));
}

torch::Tensor MlpModel::embed(const Batch& batch) {
  auto x = get(batch, options_.input);
  x = x.reshape({x.size(0), -1}).to(torch::kFloat);
  for (auto& block : hidden_) x = block->forward(x);
  return x;
}

torch::Tensor MlpModel::forward(const Batch& batch) { return forward_from_embedding(embed(batch)); }

torch::Tensor MlpModel::forward_from_embedding(const torch::Tensor& embedding) {
  auto x = head_->forward(embedding);
  if (options_.y_range.size() == 2) {
    double low = options_.y_range[0], high = options_.y_range[1];
    x = torch::sigmoid(x) * (high - low) + low;
  }
  return x;
}

std::vector<std::vector<torch::Tensor>> MlpModel::layer_groups() {
  std::vector<std::vector<torch::Tensor>> groups;
  for (auto& block : hidden_) groups.push_back(block->parameters());
  groups.push_back(head_->parameters());
  return groups;
}

}  // namespace adapt
