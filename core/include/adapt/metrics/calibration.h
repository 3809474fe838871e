#pragma once
// Calibration of a single-label classifier: how far its confidence is from its accuracy (the
// reliability diagram and the expected calibration error), and temperature scaling, one scalar T that
// divides the logits, fitted on validation by minimising the negative log-likelihood (Guo et al. 2017).
// T changes no argmax, so accuracy, F1 and MCC stay as they are; only the probabilities move.
#include <torch/types.h>

#include <cstdint>
#include <vector>

#include "adapt/common/error.h"

namespace adapt {

// Equal-width confidence bins over [0, 1]: mean confidence, accuracy and count per non-empty bin.
struct ReliabilityBins {
  std::vector<double> confidence, accuracy;
  std::vector<int64_t> count;
  double ece = 0;  // sum over bins of count/N * |accuracy - confidence|
};

// `logits` [N, C] (any finite scale), `targets` int64 [N]; rows with a negative target are skipped.
// Throws adapt::Error on mismatched shapes.
ADAPT_API ReliabilityBins reliability(const torch::Tensor& logits, const torch::Tensor& targets, int64_t bins = 15);
ADAPT_API double expected_calibration_error(const torch::Tensor& logits, const torch::Tensor& targets,
                                            int64_t bins = 15);
// The temperature in [0.05, 20] that minimises the mean NLL of softmax(logits / T) (a convex problem in
// 1/T, solved by golden-section search); 1 when there are no rows.
ADAPT_API double fit_temperature(const torch::Tensor& logits, const torch::Tensor& targets);

}  // namespace adapt
