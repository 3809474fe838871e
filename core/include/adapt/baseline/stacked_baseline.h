#pragma once
// StackedBaseline: late fusion of simple models. Each member is a plugin's own baseline that sees only
// its inputs (a branch of core.fusion); a logistic regression (ridge for regression) is fitted on the
// members' out-of-fold predictions over the training split, so the stacker never learns from a member
// scoring rows it was fitted on. The members are then refitted on the whole training split.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "adapt/baseline/baseline.h"
#include "adapt/baseline/linear_model.h"

namespace adapt {

struct StackedMember {
  std::string name;                       // "text" (a branch name), for messages
  std::vector<std::string> input_keys;    // the input blocks it may read
  std::function<std::shared_ptr<Baseline>()> make;  // a fresh, unfitted baseline per fold
};

struct StackedOptions {
  int64_t folds = 5;
  uint64_t seed = 42;       // assigns training rows to folds
  double l2 = 1e-3;         // of the stacking logistic regression
  double alpha = 1.0;       // of the stacking ridge regression
};

class ADAPT_API StackedBaseline : public Baseline {
 public:
  StackedBaseline(std::vector<StackedMember> members, StackedOptions options = {});
  std::string description() const override;
  // Throws Error when the training split is smaller than the folds, or a member's inputs are missing.
  void fit(const BaselineContext& ctx) override;
  torch::Tensor predict(const BaselineContext& ctx, const std::vector<size_t>& rows) const override;

 private:
  // The members' predictions side by side: probabilities for classification, values for regression.
  torch::Tensor member_features(const BaselineContext& ctx, const std::vector<size_t>& rows) const;
  const DataBlocks& member_blocks(size_t member) const { return *member_blocks_[member]; }

  std::vector<StackedMember> members_;
  StackedOptions options_;
  std::vector<std::shared_ptr<DataBlocks>> member_blocks_;
  std::vector<std::shared_ptr<Baseline>> fitted_;
  bool classification_ = true;
  int64_t n_classes_ = 0;
  LogisticRegression logistic_;
  RidgeRegression ridge_;
};

}  // namespace adapt
