#include "adapt/baseline/core_baselines.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace adapt {
namespace {

bool is_auxiliary(const std::string& key) {
  const auto dot = key.rfind('.');
  const std::string last = dot == std::string::npos ? key : key.substr(dot + 1);
  return last == "mask" || last == "lengths";
}

}  // namespace

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
        if (!is_auxiliary(key) && t.is_floating_point()) parts.push_back(t.reshape({-1}).to(torch::kFloat));
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
  for (size_t row : rows) out.push_back(get(target.block->encode(ctx.records, row, encode_ctx), ""));
  if (out.empty()) return torch::zeros({0});
  return torch::stack(out);
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
