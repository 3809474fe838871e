#include "adapt/baseline/core_baselines.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "adapt/data/block.h"

namespace adapt {
torch::Tensor baseline_features(const BaselineContext& ctx, const std::vector<size_t>& rows) {
  EncodeContext encode_ctx;
  encode_ctx.split = Split::valid;  // no augmentation
  std::vector<torch::Tensor> out;
  out.reserve(rows.size());
  int64_t width = -1;
  for (size_t row : rows) {
    std::vector<torch::Tensor> parts;
    for (const auto& bound : ctx.blocks.inputs()) {
      const TensorDict encoded = bound.block->encode(ctx.records, row, encode_ctx);
      for (const auto& [key, t] : encoded)  // std::map: a fixed key order
        if (!is_auxiliary_key(key) && t.is_floating_point()) parts.push_back(t.reshape({-1}).to(torch::kFloat));
    }
    if (parts.empty())
      throw Error(fmt::format("core baselines: the input blocks encode no floating-point tensors for {} (row {}); "
                              "core.logistic/core.linear need numeric features, use a plugin's baseline instead",
                              ctx.records.origin(row), row));
    auto features = torch::cat(parts);
    if (width < 0) width = features.numel();
    if (features.numel() != width)
      throw Error(fmt::format("core baselines: {} (row {}) encodes {} features but earlier rows {}; inputs of varying "
                              "length need a plugin's baseline (e.g. on summary statistics)",
                              ctx.records.origin(row), row, features.numel(), width));
    out.push_back(features);
  }
  if (out.empty()) return torch::zeros({0, 0});
  return torch::stack(out);
}

torch::Tensor baseline_targets(const BaselineContext& ctx, const std::vector<size_t>& rows) {
  EncodeContext encode_ctx;
  encode_ctx.split = Split::valid;
  const auto& target = ctx.blocks.target();
  std::vector<torch::Tensor> out;
  out.reserve(rows.size());
  for (size_t row : rows) {
    out.push_back(get(target.block->encode(ctx.records, row, encode_ctx), ""));
    if (out.back().sizes() != out.front().sizes())  // per-residue or per-token targets of varying length
      throw Error(fmt::format("baselines: the target of {} (row {}) has {} values but earlier rows {}; a baseline over "
                              "one value per row does not apply to targets of varying length",
                              ctx.records.origin(row), row, out.back().numel(), out.front().numel()));
  }
  if (out.empty()) return torch::zeros({0});
  return torch::stack(out);
}

// ---- core.constant -----------------------------------------------------------------------------

std::string ConstantBaseline::description() const {
  return kind_.empty() ? "constant prediction (the training split's prior or mean)"
                       : "constant prediction: the training split's " + kind_;
}

void ConstantBaseline::fit(const BaselineContext& ctx) {
  const Block& target = *ctx.blocks.target().block;
  const torch::Tensor y = baseline_targets(ctx, ctx.split.train);
  const std::string loss = target.loss();
  if (y.size(0) == 0) throw Error("core.constant: the training split is empty");
  if (loss == "cross_entropy" && y.dim() == 1 && y.scalar_type() == torch::kInt64) {
    const int64_t n = target.n_outputs();
    if (y.min().item<int64_t>() < 0 || y.max().item<int64_t>() >= n)
      throw Error("core.constant: a training label is outside the target's " + std::to_string(n) + " classes");
    const torch::Tensor counts = torch::bincount(y, {}, n).to(torch::kDouble) + 1.0;
    output_ = (counts / counts.sum()).log().to(torch::kFloat);
    kind_ = "class frequencies (the majority class wins)";
  } else if (loss == "bce_with_logits" && y.dim() == 2) {
    const torch::Tensor p = y.to(torch::kDouble).mean(0).clamp(1e-6, 1 - 1e-6);
    output_ = (p / (1 - p)).log().to(torch::kFloat);
    kind_ = "label prevalences";
  } else if (y.is_floating_point() && y.dim() <= 2) {
    output_ = y.to(torch::kDouble).reshape({y.size(0), -1}).mean(0).to(torch::kFloat);
    kind_ = "mean";
  } else {
    throw Error("core.constant: applies to class, multi-label and regression targets; this target's loss is '" +
                loss + "' with targets of " + std::to_string(y.dim()) + " dimensions");
  }
}

torch::Tensor ConstantBaseline::predict(const BaselineContext&, const std::vector<size_t>& rows) const {
  if (!output_.defined()) throw Error("core.constant: predict called before fit");
  return output_.unsqueeze(0).expand({static_cast<int64_t>(rows.size()), output_.size(0)}).contiguous();
}

// ---- core.logistic -----------------------------------------------------------------------------

LogisticBaseline::LogisticBaseline(LogisticRegressionOptions options) : options_(options), model_(options) {}

std::string LogisticBaseline::description() const {
  return fmt::format("multinomial logistic regression on standardised input features (L2 {:g})", options_.l2);
}

void LogisticBaseline::fit(const BaselineContext& ctx) {
  const auto& target = *ctx.blocks.target().block;
  if (target.loss() != "cross_entropy")
    throw Error(fmt::format("core.logistic: needs a single-label classification target (loss cross_entropy), but the "
                            "target's loss is '{}'; use core.linear for regression",
                            target.loss()));
  if (ctx.split.train.empty()) throw Error("core.logistic: the training split is empty");
  auto x = baseline_features(ctx, ctx.split.train);
  auto y = baseline_targets(ctx, ctx.split.train).reshape({-1});
  model_.fit(x, y, target.n_outputs());
}

torch::Tensor LogisticBaseline::predict(const BaselineContext& ctx, const std::vector<size_t>& rows) const {
  if (!model_.fitted()) throw Error("core.logistic: predict called before fit");
  if (rows.empty()) return torch::zeros({0, model_.n_classes()});
  return model_.predict_log_proba(baseline_features(ctx, rows)).to(torch::kFloat);
}

// ---- core.linear -------------------------------------------------------------------------------

LinearBaseline::LinearBaseline(RidgeRegressionOptions options) : options_(options), model_(options) {}

std::string LinearBaseline::description() const {
  return fmt::format("ridge linear regression on standardised input features (alpha {:g})", options_.alpha);
}

void LinearBaseline::fit(const BaselineContext& ctx) {
  const auto& target = *ctx.blocks.target().block;
  if (target.loss() != "mse")
    throw Error(fmt::format("core.linear: needs a regression target (loss mse), but the target's loss is '{}'; use "
                            "core.logistic for classification",
                            target.loss()));
  if (ctx.split.train.empty()) throw Error("core.linear: the training split is empty");
  auto x = baseline_features(ctx, ctx.split.train);
  auto y = baseline_targets(ctx, ctx.split.train).to(torch::kDouble);
  y = y.reshape({y.size(0), -1});
  target_dims_ = y.size(1);
  model_.fit(x, y);
}

torch::Tensor LinearBaseline::predict(const BaselineContext& ctx, const std::vector<size_t>& rows) const {
  if (!model_.fitted()) throw Error("core.linear: predict called before fit");
  if (rows.empty()) return torch::zeros({0, target_dims_});
  return model_.predict(baseline_features(ctx, rows)).to(torch::kFloat);
}

}  // namespace adapt
