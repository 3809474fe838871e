#include "adapt/baseline/stacked_baseline.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "adapt/baseline/core_baselines.h"
#include "adapt/baseline/out_of_fold.h"

namespace adapt {
namespace {

// The input blocks a member may read, bound to the same keys, with the run's target.
std::shared_ptr<DataBlocks> restricted_blocks(const DataBlocks& blocks, const StackedMember& member) {
  std::vector<BoundBlock> inputs;
  for (const auto& key : member.input_keys) {
    auto it = std::find_if(blocks.inputs().begin(), blocks.inputs().end(),
                           [&](const BoundBlock& b) { return b.key == key; });
    if (it == blocks.inputs().end()) {
      std::vector<std::string> keys;
      for (const auto& b : blocks.inputs()) keys.push_back(b.key);
      throw Error(fmt::format("stacked baseline: member {} reads the input \"{}\", which the recipe lacks (inputs: {})",
                              member.name, key, fmt::join(keys, ", ")));
    }
    inputs.push_back(*it);
  }
  return std::make_shared<DataBlocks>(std::move(inputs), blocks.target());
}

}  // namespace

StackedBaseline::StackedBaseline(std::vector<StackedMember> members, StackedOptions options)
    : members_(std::move(members)), options_(options) {
  if (members_.size() < 2) throw OptionError("stacked baseline: needs at least two members");
  if (options_.folds < 2) throw OptionError("stacked baseline: folds must be at least 2");
}

std::string StackedBaseline::description() const {
  std::vector<std::string> parts;
  for (const auto& m : members_) parts.push_back(m.name);
  return fmt::format("{} on the {}-fold out-of-fold predictions of the branches' baselines ({})",
                     classification_ ? "logistic regression" : "ridge regression", options_.folds, fmt::join(parts, ", "));
}

torch::Tensor StackedBaseline::member_features(const BaselineContext& ctx, const std::vector<size_t>& rows) const {
  std::vector<torch::Tensor> columns;
  for (size_t m = 0; m < fitted_.size(); ++m) {
    BaselineContext member_ctx{ctx.records, ctx.split, member_blocks(m)};
    auto out = fitted_[m]->predict(member_ctx, rows).to(torch::kDouble);
    columns.push_back(classification_ ? out.exp() : out.reshape({out.size(0), -1}));
  }
  return torch::cat(columns, 1);
}

void StackedBaseline::fit(const BaselineContext& ctx) {
  const auto& target = *ctx.blocks.target().block;
  classification_ = target.loss() == "cross_entropy";
  n_classes_ = target.n_outputs();
  const auto& train = ctx.split.train;
  if (static_cast<int64_t>(train.size()) < 2 * options_.folds)
    throw Error(fmt::format("stacked baseline: {} training rows are too few for {} folds", train.size(), options_.folds));
  member_blocks_.clear();
  for (const auto& member : members_) member_blocks_.push_back(restricted_blocks(ctx.blocks, member));

  const auto targets = baseline_targets(ctx, train);
  const auto fold = assign_folds(targets, classification_, options_.folds, options_.seed);
  // Out-of-fold member predictions, [train rows, features].
  const torch::Tensor stacked = out_of_fold(train, fold, options_.folds, [&](const SplitIndices& inner) {
    fitted_.clear();
    for (size_t m = 0; m < members_.size(); ++m) {
      fitted_.push_back(members_[m].make());
      fitted_.back()->fit(BaselineContext{ctx.records, inner, member_blocks(m)});
    }
    return member_features(ctx, inner.valid);
  });
  if (classification_) {
    LogisticRegressionOptions o;
    o.l2 = options_.l2;
    logistic_ = LogisticRegression(o);
    logistic_.fit(stacked, targets.reshape({-1}).to(torch::kInt64), n_classes_);
  } else {
    RidgeRegressionOptions o;
    o.alpha = options_.alpha;
    ridge_ = RidgeRegression(o);
    ridge_.fit(stacked, targets.to(torch::kDouble));
  }
  // The members that score valid and test are fitted on the whole training split.
  fitted_.clear();
  for (size_t m = 0; m < members_.size(); ++m) {
    fitted_.push_back(members_[m].make());
    fitted_.back()->fit(BaselineContext{ctx.records, ctx.split, member_blocks(m)});
  }
}

torch::Tensor StackedBaseline::predict(const BaselineContext& ctx, const std::vector<size_t>& rows) const {
  if (fitted_.empty()) throw Error("stacked baseline: predict called before fit");
  const auto x = member_features(ctx, rows);
  if (classification_) return logistic_.predict_log_proba(x).to(torch::kFloat);
  return ridge_.predict(x).to(torch::kFloat);
}

}  // namespace adapt
