#pragma once
// Two-sample tests for drift that the per-column statistics of inspect/drift_statistics.h do not
// cover: feature vectors (maximum mean discrepancy) and category counts against category counts.
#include <torch/types.h>

#include <cstdint>
#include <map>
#include <string>

#include "adapt/common/error.h"

namespace adapt {

struct TwoSampleResult {
  double statistic = 0.0;
  double p_value = 1.0;
};

// Maximum mean discrepancy between the rows of `reference` [M, D] and `current` [N, D] with a
// Gaussian kernel (bandwidth: the median distance between pooled rows, features scaled by the
// reference's standard deviations), unbiased MMD^2, p-value by `permutations` random relabellings.
ADAPT_API TwoSampleResult mmd_test(const torch::Tensor& reference, const torch::Tensor& current,
                                   int64_t permutations = 200, uint64_t seed = 0);

// Chi-squared test of independence on the 2 x C table of two samples' category counts.
ADAPT_API TwoSampleResult chi_squared_two_sample(const std::map<std::string, size_t>& a,
                                                 const std::map<std::string, size_t>& b);

}  // namespace adapt
