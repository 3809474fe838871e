#pragma once
// tabular.model: fastai's TabularModel. One embedding per categorical column (width from
// tabular.table's dims: min(600, round(1.6 * n^0.56))), embedding dropout, BatchNorm on the
// continuous columns, then Linear-ReLU-BatchNorm-Dropout blocks and a final Linear; for a
// regression an optional y_range squashes the output through a scaled sigmoid.
// Reads "<input>.cat" int64 [B, n_cat] and "<input>.cont" float [B, n_cont] from the batch.
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "adapt/model/model.h"
#include "adapt/plugin/registry.h"

namespace adapt::tabular {

OptionSchema tabular_model_schema();

struct TabularModelOptions {
  std::string input = "x";
  std::vector<int64_t> layers{200, 100};
  std::vector<double> ps;  // dropout after each hidden layer: empty = none, one value = all
  double embed_p = 0.0;
  std::optional<std::pair<double, double>> y_range;
  bool use_bn = true, bn_final = false, bn_cont = true;
};

class TabularModel : public Model {
 public:
  // cardinalities/embedding_sizes per categorical column; n_cont continuous columns.
  TabularModel(std::vector<int64_t> cardinalities, std::vector<int64_t> embedding_sizes, int64_t n_cont,
               int64_t n_outputs, TabularModelOptions options);
  torch::Tensor forward(const Batch& batch) override;
  // The last hidden layer's output (the embedded and continuous columns when there is none).
  torch::Tensor embed(const Batch& batch) override;
  torch::Tensor forward_from_embedding(const torch::Tensor& embedding) override;
  int64_t embedding_width() const override { return embedding_width_; }
  // Embeddings and hidden layers, then the final layer (for freeze / discriminative rates).
  std::vector<std::vector<torch::Tensor>> layer_groups() override;

 private:
  TabularModelOptions options_;
  int64_t n_cat_, n_cont_, embedding_width_ = 0;
  torch::nn::ModuleList embeds_{nullptr};
  std::vector<torch::nn::Embedding> embeddings_;  // the same modules, typed
  torch::nn::Dropout emb_drop_{nullptr};
  torch::nn::BatchNorm1d bn_cont_{nullptr};
  torch::nn::Sequential layers_{nullptr};
  torch::nn::Linear head_{nullptr};
  torch::nn::BatchNorm1d bn_final_{nullptr};
};

std::shared_ptr<Model> make_tabular_model(const Options& options, const ModelContext& ctx);

}  // namespace adapt::tabular
