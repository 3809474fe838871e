#pragma once
// The core losses. Each implements adapt::Loss (loss.h): per_item() gives one loss per item (for
// top-losses reports), operator() the training loss.
#include <memory>
#include <string>

#include "adapt/model/loss.h"

namespace adapt {

struct CrossEntropyLossOptions {
  // fastai/PyTorch label smoothing: the target becomes (1 - eps) * target + eps / n_classes.
  double label_smoothing = 0.0;
  // Target positions equal to this are ignored (padding in language models).
  int64_t ignore_index = -100;
};

// Cross-entropy on logits (or log-probabilities). Accepted shapes:
//  - output [B,C], target int64 [B]           class indices (ignore_index allowed)
//  - output [B,C], target float [B,C]         probabilities (mixup, soft labels)
//  - output [B,T,C], target int64 [B,T]       sequences: per_item averages each item's non-ignored
//    positions (0 for an item with none); operator() is the mean over all non-ignored tokens, as
//    fastai's CrossEntropyLossFlat and PyTorch do.
// A class index outside [0, C) is an adapt::Error naming the value and C.
class ADAPT_API CrossEntropyLoss : public Loss {
 public:
  explicit CrossEntropyLoss(CrossEntropyLossOptions options = {});
  torch::Tensor per_item(const torch::Tensor& output, const torch::Tensor& target) const override;
  torch::Tensor operator()(const torch::Tensor& output, const torch::Tensor& target) const override;
  const CrossEntropyLossOptions& options() const { return options_; }

 private:
  CrossEntropyLossOptions options_;
};

// Binary cross-entropy on logits, for multi-label targets (float or int 0/1) of the output's shape:
// output [B,L] with target [B,L], or output [B]/[B,1] with target [B]/[B,1]. per_item is the mean
// over labels.
class ADAPT_API BCEWithLogitsLoss : public Loss {
 public:
  torch::Tensor per_item(const torch::Tensor& output, const torch::Tensor& target) const override;
};

// Mean squared error. output [B], [B,1] or [B,K] against a float target with the same number of
// values per item ([B] matches [B,1]); per_item is the mean over the K values.
class ADAPT_API MSELoss : public Loss {
 public:
  torch::Tensor per_item(const torch::Tensor& output, const torch::Tensor& target) const override;
};

// Maps a target block's loss() string ("cross_entropy", "bce_with_logits", "mse") to the core
// loss with default options; an unknown name is an adapt::Error listing the known ones.
ADAPT_API std::shared_ptr<Loss> make_loss(const std::string& short_name);

}  // namespace adapt
