#pragma once
// The recsys models. Each reads "<input>.user" and "<input>.item" (recsys.ids) and returns [batch, 1]:
//   recsys.dot_bias   fastai's EmbeddingDotBias: dot(user, item) + user bias + item bias, squashed
//                     into y_range by sigmoid_range. With item_features (LightFM's hybrid), an item's
//                     factors and bias also sum a learned map of its content (genres, numbers), so
//                     items with few ratings lean on what items like them taught.
//   recsys.ncf        neural collaborative filtering: concatenated embeddings through an MLP.
//   recsys.two_tower  retrieval: a user tower and an item tower (embedding + MLP) scored by a dot
//                     product, for implicit feedback trained on sampled negatives.
// Embeddings use sparse gradients by default, so the core's AdamW updates only the rows in a batch.
#include <adapt/model/model.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/linear.h>

#include <optional>
#include <utility>

#include "id_embedding.h"

namespace adapt::recsys {

// Models whose score splits into a user side and an item side, so ranking all items for many users
// is one matrix product instead of a forward pass per (user, item) pair.
class FactorizedScorer {
 public:
  virtual ~FactorizedScorer() = default;
  virtual torch::Tensor user_side(const torch::Tensor& user_ids) = 0;  // [U, r]
  virtual torch::Tensor item_side(const torch::Tensor& item_ids) = 0;  // [N, r]
  // [U, N]: equals forward() for every (user, item) pair.
  virtual torch::Tensor score(const torch::Tensor& user_side, const torch::Tensor& item_side) = 0;
};

// Shared plumbing: which batch keys to read and the optional output range.
class RecsysModel : public Model {
 public:
  RecsysModel(const Options& options, const ModelContext& ctx);
  const std::string& user_key() const { return user_key_; }
  const std::string& item_key() const { return item_key_; }
  // The learned vector of each item ([N, item slots] ids -> [N, D]), which places items the model
  // treats alike near each other: what the report's "nearest items" compare.
  virtual torch::Tensor item_vectors(const torch::Tensor& item_ids) = 0;

 protected:
  torch::Tensor squash(const torch::Tensor& x) const;
  // Refuses, before any table is allocated, sizes whose embedding rows (row_width floats for every
  // user and item row) and `dense` other parameters exceed the machine's budget.
  void check_budget(const Options& options, double row_width, double dense) const;
  IdTables user_tables_, item_tables_;
  std::optional<std::pair<double, double>> y_range_;
  bool sparse_;

 private:
  std::string user_key_, item_key_;
};

class DotBiasModel : public RecsysModel, public FactorizedScorer {
 public:
  DotBiasModel(const Options& options, const ModelContext& ctx);
  static OptionSchema schema();
  torch::Tensor forward(const Batch& batch) override;
  torch::Tensor user_side(const torch::Tensor& user_ids) override;
  torch::Tensor item_side(const torch::Tensor& item_ids) override;
  torch::Tensor score(const torch::Tensor& user_side, const torch::Tensor& item_side) override;
  // The ids' own item factors (without item_features, which ids alone do not give).
  torch::Tensor item_vectors(const torch::Tensor& item_ids) override;
  // [user factors * item factors, user bias, item bias]: a head that sums them is this model.
  torch::Tensor embed(const Batch& batch) override;
  int64_t embedding_width() const override { return n_factors_ + 2; }
  // forward() from embed()'s columns, bit for bit: prediction with out-of-domain scores gathers each
  // id's rows once instead of once for each.
  torch::Tensor forward_from_embedding(const torch::Tensor& embedding) override;

 private:
  // Each item's factors [N, n_factors] and bias [N, 1], with its content's share when item_features is set.
  std::pair<torch::Tensor, torch::Tensor> item_representation(const Batch& batch);
  int64_t n_factors_;
  IdEmbedding user_factors_{nullptr}, item_factors_{nullptr}, user_bias_{nullptr}, item_bias_{nullptr};
  std::vector<std::string> item_features_;  // batch keys of float feature vectors
  torch::nn::Linear item_content_{nullptr};  // their concatenation -> [factors, bias]
};

class NeuralCFModel : public RecsysModel {
 public:
  NeuralCFModel(const Options& options, const ModelContext& ctx);
  static OptionSchema schema();
  torch::Tensor forward(const Batch& batch) override;
  // The user and item embeddings side by side (what the MLP reads; as an encoder, the fusion head
  // takes the MLP's place).
  torch::Tensor embed(const Batch& batch) override;
  torch::Tensor forward_from_embedding(const torch::Tensor& embedding) override;
  torch::Tensor item_vectors(const torch::Tensor& item_ids) override;  // the item embedding
  int64_t embedding_width() const override { return 2 * n_factors_; }
  std::vector<std::vector<torch::Tensor>> layer_groups() override;

 private:
  int64_t n_factors_;
  IdEmbedding users_{nullptr}, items_{nullptr};
  torch::nn::Sequential mlp_{nullptr};
};

class TwoTowerModel : public RecsysModel, public FactorizedScorer {
 public:
  TwoTowerModel(const Options& options, const ModelContext& ctx);
  static OptionSchema schema();
  torch::Tensor forward(const Batch& batch) override;
  torch::Tensor user_side(const torch::Tensor& user_ids) override;
  torch::Tensor item_side(const torch::Tensor& item_ids) override;
  torch::Tensor score(const torch::Tensor& user_side, const torch::Tensor& item_side) override;
  // Tower outputs, for scoring many items per user.
  torch::Tensor user_vectors(const torch::Tensor& user_ids);
  torch::Tensor item_vectors(const torch::Tensor& item_ids) override;
  // [user vector * item vector (scaled by 1 / temperature), item bias if any].
  torch::Tensor embed(const Batch& batch) override;
  int64_t embedding_width() const override { return out_dim_ + (item_bias_ ? 1 : 0); }

 private:
  int64_t out_dim_;
  IdEmbedding users_{nullptr}, items_{nullptr}, item_bias_{nullptr};
  torch::nn::Sequential user_tower_{nullptr}, item_tower_{nullptr};
  bool normalize_;
  double temperature_;
};

}  // namespace adapt::recsys
