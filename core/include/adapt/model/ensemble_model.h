#pragma once
// core.ensemble: K copies of one model spec, each with its own initialisation, trained side by side
// on the same batches but each on its own loss (Model::members), and averaged at evaluation and
// prediction. Averaging a few independently trained models is the oldest reliable way to cut
// variance: on MovieLens it takes EmbeddingDotBias's RMSE about 1% lower (recsys/README.md).
//   {"name": "core.ensemble", "members": 3, "model": {"name": "recsys.dot_bias", "n_factors": 20}}
//   {"name": "core.ensemble", "models": [{"name": "recsys.dot_bias"}, {"name": "recsys.ncf"}]}
// A classifier's members average their logits.
#include <memory>
#include <vector>

#include "adapt/model/model.h"

namespace adapt {

class ADAPT_API EnsembleModel : public Model {
 public:
  explicit EnsembleModel(std::vector<std::shared_ptr<Model>> members);
  // Training: [members, ...] (one output per member); evaluation: their mean.
  torch::Tensor forward(const Batch& batch) override;
  // Group g holds every member's group g (mixed members: group g of those that have one).
  std::vector<std::vector<torch::Tensor>> layer_groups() override;
  // The members' embeddings side by side ([N, K x D]): independently trained members do not share
  // a basis, so their embeddings are concatenated, not averaged.
  torch::Tensor embed(const Batch& batch) override;
  int64_t embedding_width() const override;  // the members' widths summed; 0 if one has none
  int64_t members() const override { return static_cast<int64_t>(members_.size()); }
  const std::shared_ptr<Model>& member(size_t k) const { return members_.at(k); }

 private:
  std::vector<std::shared_ptr<Model>> members_;
};

}  // namespace adapt
