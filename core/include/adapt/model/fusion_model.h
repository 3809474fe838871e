#pragma once
// core.fusion: one model over inputs from several plugins. Each branch is an encoder (any model whose
// embedding_width() > 0: a text AWD-LSTM, a tabular model, an audio CNN, ...) reading its own input
// key; a combiner (fusion_combiner.h) merges their embeddings and an MLP head maps the result to the
// target's outputs.
//   {"name": "core.fusion", "combiner": "gated",
//    "branches": {"text":  {"encoder": {"name": "text.awd_lstm_classifier", "input": "text"},
//                           "lr_mult": 0.3, "init_from": {"file": "lm.adapt", "part": "encoder"}},
//                 "table": {"encoder": {"name": "tabular.model", "input": "table"}}}}
// Missing modalities: where the batch holds "<input>.missing" (bool [batch]; from a block, or from
// the core.modality_dropout transform in training), that branch's embedding is replaced by a learned
// "missing" vector, so a record without text or audio predicts from the other branches.
#include <memory>
#include <string>
#include <vector>

#include "adapt/model/fusion_combiner.h"
#include "adapt/model/model.h"

namespace adapt {

struct FusionBranch {
  std::string name;   // its key under "branches"
  std::string input;  // the batch key its encoder reads ("<input>.missing" marks absent records)
  std::shared_ptr<Model> encoder;
  double lr_mult = 1.0;  // multiplies the learning rate of the encoder's layer groups
  bool freeze = false;   // the encoder is not trained (its layer groups are left out)
};

struct FusionOptions {
  FusionCombinerOptions combiner;
  std::vector<int64_t> head = {128};  // hidden widths of the head
  double dropout = 0.1;               // before each head layer
  std::vector<double> y_range;        // from the target's dims(), as core.mlp
};

class ADAPT_API FusionModel : public Model {
 public:
  FusionModel(std::vector<FusionBranch> branches, const FusionOptions& options, int64_t n_outputs);
  torch::Tensor forward(const Batch& batch) override;
  // The combined representation the head reads.
  torch::Tensor embed(const Batch& batch) override;
  torch::Tensor forward_from_embedding(const torch::Tensor& embedding) override;
  int64_t embedding_width() const override { return combiner_->width(); }
  // Each trained branch's encoder groups (body to top), then one group with the missing vectors,
  // the combiner and the head: freeze_to(-1) trains the fusion on frozen encoders.
  std::vector<std::vector<torch::Tensor>> layer_groups() override;
  std::vector<double> lr_multipliers() override;
  // The branch each layer group belongs to ("" for the last: combiner and head), in layer_groups' order.
  std::vector<std::string> layer_group_branches();
  // A branch's encoder by its name (init_from, inspection).
  std::shared_ptr<torch::nn::Module> part(const std::string& name) override;
  const std::vector<FusionBranch>& branches() const { return branches_; }
  const FusionCombiner& combiner() const { return combiner_; }

 private:
  torch::Tensor branch_embedding(size_t b, const Batch& batch);

  std::vector<FusionBranch> branches_;
  std::vector<torch::Tensor> missing_;  // one learned vector per branch
  FusionCombiner combiner_{nullptr};
  torch::nn::Sequential head_{nullptr};
  std::vector<double> y_range_;
};

}  // namespace adapt
