#include "adapt/metrics/metrics.h"

#include <ATen/ATen.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "adapt/common/tensor_text.h"
#include "adapt/data/block.h"

namespace adapt {
namespace {

bool is_multilabel(const torch::Tensor& output, const torch::Tensor& target) {
  return target.is_floating_point() && output.dim() >= 1 && target.sizes() == output.sizes() &&
         !(output.dim() == 1 || (output.dim() == 2 && output.size(1) == 1));
}

// A single-label classification batch reduced to tokens: scores [N,C] (logits or, for a single
// logit, the logit itself [N,1]) and int64 targets [N] with ignored positions removed.
struct ClassBatch {
  torch::Tensor scores;  // [N,C], or [N,1] for a single binary logit
  torch::Tensor target;  // int64 [N]
  int64_t n_classes = 0;
  bool single_logit = false;

  torch::Tensor predicted() const {
    return single_logit ? scores.select(1, 0).gt(0).to(torch::kLong) : scores.argmax(1);
  }
  // Probabilities [N,C] (a single logit becomes [1-p, p]).
  torch::Tensor probabilities() const {
    if (single_logit) {
      auto p = scores.to(torch::kDouble).sigmoid();
      return torch::cat({1 - p, p}, 1);
    }
    return scores.to(torch::kDouble).softmax(1);
  }
};

ClassBatch class_batch(const std::string& who, const torch::Tensor& output_in, const torch::Tensor& target_in,
                       int64_t ignore_index) {
  auto output = output_in.detach().to(torch::kCPU);
  auto target = target_in.detach().to(torch::kCPU);
  // A [N,1] 0/1 target of a single-logit output [N,1] is a binary target, not multi-label.
  if (target.dim() == 2 && target.size(1) == 1 && output.dim() == 2 && output.size(1) == 1) target = target.reshape({-1});
  if (target.is_floating_point() || target.scalar_type() == torch::kBool) {
    if (target.scalar_type() == torch::kBool || (target.dim() == 1 && output.dim() >= 1 &&
                                                 (output.dim() == 1 || output.size(-1) == 1)))
      target = target.to(torch::kLong);  // 0/1 targets of a single-logit output
    else
      throw Error(fmt::format("{}: needs int64 class targets, got {} targets {} for output {} (multi-label targets "
                              "work with core.accuracy, core.error_rate and core.auroc only)",
                              who, c10::toString(target.scalar_type()), shape_text(target), shape_text(output)));
  }
  target = target.to(torch::kLong);
  ClassBatch b;
  if ((output.dim() == 1 || (output.dim() == 2 && output.size(1) == 1)) && target.dim() == 1 &&
      output.size(0) == target.size(0)) {
    b.scores = output.reshape({-1, 1});
    b.target = target;
    b.n_classes = 2;
    b.single_logit = true;
  } else if (output.dim() == 2 && target.dim() == 1 && output.size(0) == target.size(0)) {
    b.scores = output;
    b.target = target;
    b.n_classes = output.size(1);
  } else if (output.dim() == 3 && target.dim() == 2 && output.size(0) == target.size(0) &&
             output.size(1) == target.size(1)) {
    b.scores = output.reshape({-1, output.size(2)});
    b.target = target.reshape({-1});
    b.n_classes = output.size(2);
  } else {
    throw Error(fmt::format("{}: cannot pair output {} with target {}; expected [B,C] with [B], [B,T,C] with [B,T], "
                            "or one logit [B]/[B,1] with 0/1 targets [B]",
                            who, shape_text(output), shape_text(target)));
  }
  auto keep = b.target.ne(ignore_index);
  if (!keep.all().item<bool>()) {
    b.scores = b.scores.index({keep});
    b.target = b.target.index({keep});
  }
  if (b.target.numel() > 0) {
    auto bad = b.target.lt(0).logical_or(b.target.ge(b.n_classes));
    if (bad.any().item<bool>())
      throw Error(fmt::format("{}: target class {} is out of range for {} model outputs; the model's output width "
                              "must match the target block's classes",
                              who, b.target.masked_select(bad)[0].item<int64_t>(), b.n_classes));
  }
  return b;
}

// Regression batch as double [B,K] pairs.
std::pair<torch::Tensor, torch::Tensor> regression_batch(const std::string& who, const torch::Tensor& output,
                                                         const torch::Tensor& target) {
  if (output.dim() == 0 || target.dim() == 0 || output.size(0) != target.size(0) ||
      output.numel() != target.numel())
    throw Error(fmt::format("{}: output {} and target {} must hold the same values per item ([B] matches [B,1])",
                            who, shape_text(output), shape_text(target)));
  const int64_t batch = output.size(0);
  return {output.detach().to(torch::kCPU, torch::kDouble).reshape({batch, -1}),
          target.detach().to(torch::kCPU, torch::kDouble).reshape({batch, -1})};
}

double safe_div(double a, double b) { return b == 0 ? 0.0 : a / b; }

}  // namespace

// ---- confusion matrix --------------------------------------------------------------------------

void ConfusionMetric::reset() { matrix_ = torch::Tensor(); }

int64_t ConfusionMetric::total() const { return matrix_.defined() ? matrix_.sum().item<int64_t>() : 0; }

void ConfusionMetric::accumulate(const torch::Tensor& output, const torch::Tensor& target) {
  auto b = class_batch(name(), output, target, ignore_index_);
  const int64_t c = b.n_classes;
  auto counts = at::bincount(b.target * c + b.predicted(), {}, c * c).to(torch::kLong).view({c, c});
  if (!matrix_.defined() || matrix_.size(0) == 0) {
    matrix_ = counts;
    return;
  }
  const int64_t have = matrix_.size(0);
  if (have < c) {  // a wider output than seen so far: grow
    auto grown = torch::zeros({c, c}, torch::kLong);
    grown.slice(0, 0, have).slice(1, 0, have).copy_(matrix_);
    matrix_ = grown;
  }
  matrix_.slice(0, 0, c).slice(1, 0, c).add_(counts);
}

namespace {
struct ClassCounts {
  std::vector<double> tp, predicted, actual;
  double correct = 0, total = 0;
};
ClassCounts class_counts(const torch::Tensor& matrix) {
  ClassCounts k;
  if (!matrix.defined()) return k;
  auto m = matrix.to(torch::kDouble).contiguous();
  const int64_t c = m.size(0);
  auto diag = m.diagonal(), rows = m.sum(1), cols = m.sum(0);
  for (int64_t i = 0; i < c; ++i) {
    k.tp.push_back(diag[i].item<double>());
    k.actual.push_back(rows[i].item<double>());
    k.predicted.push_back(cols[i].item<double>());
  }
  k.correct = std::accumulate(k.tp.begin(), k.tp.end(), 0.0);
  k.total = std::accumulate(k.actual.begin(), k.actual.end(), 0.0);
  return k;
}
}  // namespace

double BalancedAccuracy::value() const {
  auto k = class_counts(matrix_);
  double sum = 0;
  int n = 0;
  for (size_t i = 0; i < k.tp.size(); ++i)
    if (k.actual[i] > 0) {
      sum += k.tp[i] / k.actual[i];
      ++n;
    }
  return n == 0 ? 0.0 : sum / n;
}

Average parse_average(const std::string& text) {
  if (text == "macro") return Average::macro;
  if (text == "weighted") return Average::weighted;
  if (text == "micro") return Average::micro;
  if (text == "binary") return Average::binary;
  throw OptionError(fmt::format("average: must be one of macro, weighted, micro, binary; got '{}'", text));
}

const char* to_string(Average average) {
  switch (average) {
    case Average::macro: return "macro";
    case Average::weighted: return "weighted";
    case Average::micro: return "micro";
    case Average::binary: return "binary";
  }
  return "?";
}

PrecisionRecallF1::PrecisionRecallF1(PrfKind kind, Average average, int64_t pos_label, int64_t ignore_index)
    : ConfusionMetric(ignore_index), kind_(kind), average_(average), pos_label_(pos_label) {
  if (pos_label < 0) throw OptionError(fmt::format("pos_label: must be >= 0, got {}", pos_label));
}

std::string PrecisionRecallF1::name() const {
  std::string base = kind_ == PrfKind::precision ? "precision" : kind_ == PrfKind::recall ? "recall" : "f1";
  return average_ == Average::macro ? base : base + "_" + to_string(average_);
}

std::vector<double> PrecisionRecallF1::per_class() const {
  auto k = class_counts(matrix_);
  std::vector<double> values(k.tp.size());
  for (size_t i = 0; i < k.tp.size(); ++i) {
    switch (kind_) {
      case PrfKind::precision: values[i] = safe_div(k.tp[i], k.predicted[i]); break;
      case PrfKind::recall: values[i] = safe_div(k.tp[i], k.actual[i]); break;
      case PrfKind::f1: values[i] = safe_div(2 * k.tp[i], k.predicted[i] + k.actual[i]); break;
    }
  }
  return values;
}

double PrecisionRecallF1::value() const {
  auto k = class_counts(matrix_);
  auto values = per_class();
  switch (average_) {
    case Average::micro: return safe_div(k.correct, k.total);  // pooled tp / pooled predicted (= actual)
    case Average::binary:
      return pos_label_ < static_cast<int64_t>(values.size()) ? values[static_cast<size_t>(pos_label_)] : 0.0;
    case Average::weighted: {
      double sum = 0;
      for (size_t i = 0; i < values.size(); ++i) sum += values[i] * k.actual[i];
      return safe_div(sum, k.total);
    }
    case Average::macro: {
      double sum = 0;
      int n = 0;
      for (size_t i = 0; i < values.size(); ++i)
        if (k.actual[i] + k.predicted[i] > 0) {
          sum += values[i];
          ++n;
        }
      return n == 0 ? 0.0 : sum / n;
    }
  }
  return 0.0;
}

double MatthewsCorrCoef::value() const {
  auto k = class_counts(matrix_);
  double pt = 0, pp = 0, tt = 0;
  for (size_t i = 0; i < k.tp.size(); ++i) {
    pt += k.predicted[i] * k.actual[i];
    pp += k.predicted[i] * k.predicted[i];
    tt += k.actual[i] * k.actual[i];
  }
  const double s = k.total;
  const double cov_pt = k.correct * s - pt, cov_pp = s * s - pp, cov_tt = s * s - tt;
  if (cov_pp == 0 || cov_tt == 0) return 0.0;
  return cov_pt / std::sqrt(cov_pp * cov_tt);
}

// ---- accuracy ----------------------------------------------------------------------------------

void Accuracy::reset() { correct_ = count_ = 0; }

void Accuracy::accumulate(const torch::Tensor& output, const torch::Tensor& target) {
  if (is_multilabel(output, target)) {
    auto pred = output.detach().to(torch::kCPU).gt(0);
    auto truth = target.detach().to(torch::kCPU).gt(0.5);
    correct_ += pred.eq(truth).sum().item<int64_t>();
    count_ += pred.numel();
    return;
  }
  auto b = class_batch(name(), output, target, ignore_index_);
  correct_ += b.predicted().eq(b.target).sum().item<int64_t>();
  count_ += b.target.numel();
}

double Accuracy::value() const { return count_ == 0 ? 0.0 : static_cast<double>(correct_) / count_; }

double ErrorRate::value() const { return count_ == 0 ? 0.0 : 1.0 - static_cast<double>(correct_) / count_; }

// ---- AUROC -------------------------------------------------------------------------------------

double binary_auroc(const torch::Tensor& scores_in, const torch::Tensor& labels_in) {
  auto scores = scores_in.detach().to(torch::kCPU, torch::kDouble).reshape({-1}).contiguous();
  auto labels = labels_in.detach().to(torch::kCPU, torch::kDouble).reshape({-1}).contiguous();
  if (scores.numel() != labels.numel())
    throw Error(fmt::format("binary_auroc: {} scores but {} labels", scores.numel(), labels.numel()));
  const int64_t n = scores.numel();
  const double* s = scores.data_ptr<double>();
  const double* y = labels.data_ptr<double>();
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return s[a] < s[b]; });
  // Sum of the positives' ranks, tied scores sharing their average rank (1-based).
  double rank_sum = 0, n_pos = 0;
  for (int64_t i = 0; i < n;) {
    int64_t j = i;
    while (j + 1 < n && s[order[j + 1]] == s[order[i]]) ++j;
    const double avg_rank = 0.5 * static_cast<double>(i + j) + 1.0;
    for (int64_t t = i; t <= j; ++t)
      if (y[order[t]] > 0.5) {
        rank_sum += avg_rank;
        n_pos += 1;
      }
    i = j + 1;
  }
  const double n_neg = static_cast<double>(n) - n_pos;
  if (n_pos == 0 || n_neg == 0) return 0.5;
  return (rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg);
}

void AUROC::reset() {
  scores_.clear();
  targets_.clear();
}

void AUROC::accumulate(const torch::Tensor& output, const torch::Tensor& target) {
  if (is_multilabel(output, target)) {
    scores_.push_back(output.detach().to(torch::kCPU, torch::kDouble).sigmoid());
    targets_.push_back(target.detach().to(torch::kCPU, torch::kDouble));
    return;
  }
  auto b = class_batch(name(), output, target, ignore_index_);
  if (b.single_logit)
    scores_.push_back(b.scores.to(torch::kDouble).reshape({-1}));  // monotone in the probability
  else
    scores_.push_back(b.probabilities());
  targets_.push_back(b.target);
}

double AUROC::value() const {
  if (scores_.empty()) return 0.5;
  auto scores = torch::cat(scores_);
  auto targets = torch::cat(targets_);
  if (scores.numel() == 0) return 0.5;
  if (scores.dim() == 1) return binary_auroc(scores, targets);
  const int64_t c = scores.size(1);
  if (targets.is_floating_point()) {  // multi-label: macro over labels with both outcomes
    double sum = 0;
    int n = 0;
    for (int64_t l = 0; l < c; ++l) {
      auto labels = targets.select(1, l).gt(0.5);
      const int64_t pos = labels.sum().item<int64_t>();
      if (pos == 0 || pos == labels.numel()) continue;
      sum += binary_auroc(scores.select(1, l), labels);
      ++n;
    }
    return n == 0 ? 0.5 : sum / n;
  }
  if (c == 2) return binary_auroc(scores.select(1, 1), targets.eq(1));
  double sum = 0;
  int n = 0;
  for (int64_t k = 0; k < c; ++k) {
    auto labels = targets.eq(k);
    const int64_t pos = labels.sum().item<int64_t>();
    if (pos == 0 || pos == labels.numel()) continue;
    sum += binary_auroc(scores.select(1, k), labels);
    ++n;
  }
  return n == 0 ? 0.5 : sum / n;
}

// ---- regression --------------------------------------------------------------------------------

void RMSE::reset() {
  sum_sq_ = sum_abs_ = 0;
  count_ = 0;
}

void RMSE::accumulate(const torch::Tensor& output, const torch::Tensor& target) {
  auto [out, tgt] = regression_batch(name(), output, target);
  auto diff = out - tgt;
  if (scale_.defined()) {
    if (scale_.size(0) != diff.size(1))
      throw Error(fmt::format("{}: the target's output_scale has {} columns but the batch has {}", name(), scale_.size(0),
                              diff.size(1)));
    diff = diff * scale_;
  }
  sum_sq_ += diff.pow(2).sum().item<double>();
  sum_abs_ += diff.abs().sum().item<double>();
  count_ += diff.numel();
}

void RMSE::set_output_scale(const std::vector<double>& scale) {
  scale_ = scale.empty() ? torch::Tensor() : torch::tensor(scale, torch::kDouble);
}

double RMSE::value() const { return count_ == 0 ? 0.0 : std::sqrt(sum_sq_ / count_); }

double MAE::value() const { return count_ == 0 ? 0.0 : sum_abs_ / count_; }

void R2::reset() { n_ = sum_y_ = sum_y2_ = sum_res_ = torch::Tensor(); }

void R2::accumulate(const torch::Tensor& output, const torch::Tensor& target) {
  auto [out, tgt] = regression_batch(name(), output, target);
  if (tgt.size(0) == 0) return;
  // Per column: count, mean and M2 (sum of squared deviations) merged with Chan's formula, which
  // stays accurate for targets with a large mean (sum_y_ holds the mean, sum_y2_ the M2).
  const double nb = static_cast<double>(tgt.size(0));
  auto mean_b = tgt.mean(0);
  auto m2_b = (tgt - mean_b).pow(2).sum(0);
  auto res_b = (tgt - out).pow(2).sum(0);
  if (!n_.defined()) {
    n_ = torch::full({tgt.size(1)}, nb, torch::kDouble);
    sum_y_ = mean_b;
    sum_y2_ = m2_b;
    sum_res_ = res_b;
    return;
  }
  if (n_.size(0) != tgt.size(1))
    throw Error(fmt::format("core.r2: targets changed from {} to {} values per item between batches", n_.size(0),
                            tgt.size(1)));
  auto na = n_;
  auto delta = mean_b - sum_y_;
  auto total = na + nb;
  sum_y_ = sum_y_ + delta * nb / total;
  sum_y2_ = sum_y2_ + m2_b + delta.pow(2) * na * nb / total;
  sum_res_ = sum_res_ + res_b;
  n_ = total;
}

double R2::value() const {
  if (!n_.defined()) return 0.0;
  double sum = 0;
  const int64_t k = n_.size(0);
  for (int64_t j = 0; j < k; ++j) {
    const double ss_tot = sum_y2_[j].item<double>(), ss_res = sum_res_[j].item<double>();
    if (ss_tot == 0)
      sum += ss_res == 0 ? 1.0 : 0.0;
    else
      sum += 1.0 - ss_res / ss_tot;
  }
  return sum / static_cast<double>(k);
}

// ---- perplexity --------------------------------------------------------------------------------

void Perplexity::reset() {
  sum_nll_ = 0;
  count_ = 0;
}

void Perplexity::accumulate(const torch::Tensor& output, const torch::Tensor& target) {
  if (output.dim() < 2 || output.dim() != target.dim() + 1 || target.is_floating_point())
    throw Error(fmt::format("core.perplexity: expects output [B,T,V] with int64 target [B,T] (or [N,V] with [N]), "
                            "got output {} and target {}",
                            shape_text(output), shape_text(target)));
  auto b = class_batch(name(), output, target, ignore_index_);
  if (b.target.numel() == 0) return;
  sum_nll_ += at::cross_entropy_loss(b.scores.to(torch::kDouble), b.target, {}, at::Reduction::Sum).item<double>();
  count_ += b.target.numel();
}

double Perplexity::value() const { return count_ == 0 ? 0.0 : std::exp(sum_nll_ / count_); }

// ---- helpers -----------------------------------------------------------------------------------

std::vector<std::shared_ptr<Metric>> default_metrics(const Block& target) {
  const std::string loss = target.loss();
  if (loss == "cross_entropy" || loss == "bce_with_logits") return {std::make_shared<Accuracy>()};
  if (loss == "mse") return {std::make_shared<RMSE>()};
  return {};
}

}  // namespace adapt
