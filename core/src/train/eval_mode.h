#pragma once
// Evaluation mode for the life of a scope, the model's own mode restored on leaving it (an exception
// included). A model already in eval mode is not written to, so several threads may predict with one
// export at once.
#include <torch/nn/module.h>

namespace adapt {

class EvalMode {
 public:
  explicit EvalMode(torch::nn::Module& model) : model_(model), was_training_(model.is_training()) {
    if (was_training_) model_.train(false);
  }
  ~EvalMode() {
    if (was_training_) model_.train(true);
  }
  EvalMode(const EvalMode&) = delete;
  EvalMode& operator=(const EvalMode&) = delete;

 private:
  torch::nn::Module& model_;
  bool was_training_;
};

}  // namespace adapt
