#include "adapt/metrics/calibration.h"

#include <torch/torch.h>

#include <cmath>
#include <string>

namespace adapt {
namespace {

// The rows with a target, as double logits [n, C] and int64 targets [n].
std::pair<torch::Tensor, torch::Tensor> labelled(const torch::Tensor& logits, const torch::Tensor& targets) {
  if (logits.dim() != 2 || targets.dim() != 1 || logits.size(0) != targets.size(0))
    throw Error("calibration: needs logits [N, C] and targets [N], got " + std::to_string(logits.dim()) + "-d and " +
                std::to_string(targets.dim()) + "-d tensors");
  const torch::Tensor keep = targets >= 0;
  return {logits.index({keep}).to(torch::kDouble), targets.index({keep}).to(torch::kLong)};
}

double mean_nll(const torch::Tensor& logits, const torch::Tensor& targets, double inverse_t) {
  return torch::nll_loss(torch::log_softmax(logits * inverse_t, 1), targets).item<double>();
}

}  // namespace

ReliabilityBins reliability(const torch::Tensor& logits_in, const torch::Tensor& targets_in, int64_t bins) {
  const auto [logits, targets] = labelled(logits_in, targets_in);
  ReliabilityBins out;
  const int64_t n = logits.size(0);
  if (n == 0 || bins < 1) return out;
  const auto [conf, pred] = torch::softmax(logits, 1).max(1);
  const torch::Tensor correct = (pred == targets).to(torch::kDouble);
  // A confidence of exactly 1 falls into the last bin.
  const torch::Tensor bin = (conf * static_cast<double>(bins)).floor().clamp_max(static_cast<double>(bins - 1)).to(torch::kLong);
  for (int64_t b = 0; b < bins; ++b) {
    const torch::Tensor in = bin == b;
    const int64_t count = in.sum().item<int64_t>();
    if (count == 0) continue;
    const double c = conf.index({in}).mean().item<double>(), a = correct.index({in}).mean().item<double>();
    out.confidence.push_back(c);
    out.accuracy.push_back(a);
    out.count.push_back(count);
    out.ece += static_cast<double>(count) / static_cast<double>(n) * std::fabs(a - c);
  }
  return out;
}

double expected_calibration_error(const torch::Tensor& logits, const torch::Tensor& targets, int64_t bins) {
  return reliability(logits, targets, bins).ece;
}

double fit_temperature(const torch::Tensor& logits_in, const torch::Tensor& targets_in) {
  const auto [logits, targets] = labelled(logits_in, targets_in);
  if (logits.size(0) == 0) return 1.0;
  torch::NoGradGuard no_grad;
  // Golden-section search over log(1/T): the NLL is convex in 1/T, hence unimodal in its logarithm.
  const double phi = (std::sqrt(5.0) - 1) / 2;
  double lo = std::log(1 / 20.0), hi = std::log(1 / 0.05);
  double a = hi - phi * (hi - lo), b = lo + phi * (hi - lo);
  double fa = mean_nll(logits, targets, std::exp(a)), fb = mean_nll(logits, targets, std::exp(b));
  for (int i = 0; i < 60; ++i) {
    if (fa < fb) {
      hi = b, b = a, fb = fa;
      a = hi - phi * (hi - lo);
      fa = mean_nll(logits, targets, std::exp(a));
    } else {
      lo = a, a = b, fa = fb;
      b = lo + phi * (hi - lo);
      fb = mean_nll(logits, targets, std::exp(b));
    }
  }
  return 1 / std::exp((lo + hi) / 2);
}

}  // namespace adapt
