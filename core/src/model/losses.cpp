#include "adapt/model/losses.h"

#include <ATen/ATen.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "adapt/common/tensor_text.h"

namespace adapt {
namespace {

// Class indices must lie in [0, n_classes) except ignored positions; torch would abort otherwise.
void check_class_targets(const char* who, const torch::Tensor& target, int64_t n_classes, int64_t ignore_index) {
  if (target.numel() == 0) return;
  auto valid = target.ne(ignore_index);
  auto bad = valid.logical_and(target.lt(0).logical_or(target.ge(n_classes)));
  if (bad.any().item<bool>()) {
    int64_t value = target.masked_select(bad).flatten()[0].item<int64_t>();
    throw Error(fmt::format(
        "{}: target class {} is out of range for a model output of {} classes; the model's output width "
        "must match the target block's n_outputs()",
        who, value, n_classes));
  }
}

}  // namespace

CrossEntropyLoss::CrossEntropyLoss(CrossEntropyLossOptions options) : options_(options) {
  if (!(options_.label_smoothing >= 0.0 && options_.label_smoothing < 1.0))
    throw OptionError(fmt::format("core.cross_entropy: label_smoothing must be in [0, 1), got {}",
                                  options_.label_smoothing));
}

torch::Tensor CrossEntropyLoss::per_item(const torch::Tensor& output, const torch::Tensor& target) const {
  const char* who = "core.cross_entropy";
  const double eps = options_.label_smoothing;
  if (output.dim() == 2 && target.is_floating_point()) {
    if (target.sizes() != output.sizes())
      throw Error(fmt::format("{}: probability targets {} must have the output's shape {}", who, shape_text(target),
                              shape_text(output)));
    return at::cross_entropy_loss(output, target.to(output.scalar_type()), {}, at::Reduction::None,
                                  options_.ignore_index, eps);
  }
  if (target.is_floating_point())
    throw Error(fmt::format("{}: float targets {} need a 2-D output [batch, classes], got {}", who, shape_text(target),
                            shape_text(output)));
  if (output.dim() == 2 && target.dim() == 1 && target.size(0) == output.size(0)) {
    check_class_targets(who, target, output.size(1), options_.ignore_index);
    return at::cross_entropy_loss(output, target, {}, at::Reduction::None, options_.ignore_index, eps);
  }
  if (output.dim() == 3 && target.dim() == 2 && target.size(0) == output.size(0) &&
      target.size(1) == output.size(1)) {
    check_class_targets(who, target, output.size(2), options_.ignore_index);
    const int64_t batch = output.size(0), length = output.size(1);
    auto tokens = at::cross_entropy_loss(output.reshape({batch * length, output.size(2)}), target.reshape({-1}), {},
                                         at::Reduction::None, options_.ignore_index, eps)
                      .view({batch, length});
    auto counts = target.ne(options_.ignore_index).sum(1).clamp_min(1).to(tokens.scalar_type());
    return tokens.sum(1) / counts;
  }
  throw Error(fmt::format(
      "{}: cannot pair output {} with target {}; expected [B,C] with int64 [B], [B,C] with float [B,C], or "
      "[B,T,C] with int64 [B,T]",
      who, shape_text(output), shape_text(target)));
}

torch::Tensor CrossEntropyLoss::operator()(const torch::Tensor& output, const torch::Tensor& target) const {
  if (output.dim() == 3 && target.dim() == 2 && !target.is_floating_point()) {
    // Token mean over the whole batch, as PyTorch/fastai: long sequences weigh more.
    auto per_token_sum = per_item(output, target);  // validates
    auto counts = target.ne(options_.ignore_index).sum(1).to(per_token_sum.scalar_type());
    auto total = counts.sum();
    return (per_token_sum * counts).sum() / total.clamp_min(1);
  }
  return per_item(output, target).mean();
}

torch::Tensor BCEWithLogitsLoss::per_item(const torch::Tensor& output, const torch::Tensor& target) const {
  if (output.dim() == 0 || output.numel() != target.numel() || output.size(0) != (target.dim() ? target.size(0) : 0))
    throw Error(fmt::format("core.bce_with_logits: output {} and target {} must have the same shape ([B,L], or "
                            "[B]/[B,1] for one label)",
                            shape_text(output), shape_text(target)));
  const int64_t batch = output.size(0);
  auto out = output.reshape({batch, -1});
  auto tgt = target.reshape({batch, -1}).to(out.scalar_type());
  return at::binary_cross_entropy_with_logits(out, tgt, {}, {}, at::Reduction::None).mean(1);
}

torch::Tensor MSELoss::per_item(const torch::Tensor& output, const torch::Tensor& target) const {
  if (output.dim() == 0 || target.dim() == 0 || output.size(0) != target.size(0) ||
      output.numel() != target.numel())
    throw Error(fmt::format("core.mse: output {} and target {} must hold the same values per item ([B] matches "
                            "[B,1])",
                            shape_text(output), shape_text(target)));
  const int64_t batch = output.size(0);
  auto out = output.reshape({batch, -1});
  auto tgt = target.reshape({batch, -1}).to(out.scalar_type());
  return (out - tgt).pow(2).mean(1);
}

std::shared_ptr<Loss> make_loss(const std::string& short_name) {
  if (short_name == "cross_entropy") return std::make_shared<CrossEntropyLoss>();
  if (short_name == "bce_with_logits") return std::make_shared<BCEWithLogitsLoss>();
  if (short_name == "mse") return std::make_shared<MSELoss>();
  throw Error(fmt::format("make_loss: unknown loss '{}'; known: cross_entropy, bce_with_logits, mse (or name a "
                          "loss component in the recipe's \"loss\")",
                          short_name));
}

}  // namespace adapt
