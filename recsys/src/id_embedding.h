#pragma once
// IdEmbedding: embedding tables for one id column as an IdEncoder describes them (dims()): one row
// per slot, looked up and combined (sum for vocab/hash, product for quotient-remainder) into
// [batch, dim]. Row 0 (the unknown id) starts at zero, so an unseen id contributes nothing until id
// dropout trains that row: a dot-bias model then falls back to the other side's bias.
#include <adapt/common/options.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/embedding.h>

#include <vector>

namespace adapt::recsys {

struct IdTables {
  std::vector<int64_t> sizes;  // rows per slot's table (one entry when shared)
  int64_t slots = 1;
  bool shared = false;
  bool product = false;  // combine by element-wise product (qr) instead of sum
  static IdTables from_dims(const json& dims, const std::string& what);
  int64_t total_rows() const;
};

class IdEmbeddingImpl : public torch::nn::Module {
 public:
  // init_std: normal(0, std) like fastai's trunc_normal_(std=0.01); product tables start at 1 + noise.
  IdEmbeddingImpl(IdTables tables, int64_t dim, bool sparse, double init_std);
  // ids: int64 [batch, slots] -> [batch, dim]
  torch::Tensor forward(const torch::Tensor& ids);
  const IdTables& tables() const { return tables_; }
  std::vector<torch::nn::Embedding>& embeddings() { return tables_modules_; }

 private:
  IdTables tables_;
  std::vector<torch::nn::Embedding> tables_modules_;
};
TORCH_MODULE(IdEmbedding);

// fastai's sigmoid_range: sigmoid(x) * (high - low) + low.
torch::Tensor sigmoid_range(const torch::Tensor& x, double low, double high);

}  // namespace adapt::recsys
