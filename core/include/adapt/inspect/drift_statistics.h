#pragma once
// The two-sample statistics behind the drift checks, as Evidently chooses them: with at most 1,000
// reference values a test (Kolmogorov-Smirnov for numbers, chi-squared for categories) and its p-value;
// above that a distance (Wasserstein normed by the reference's standard deviation, Jensen-Shannon),
// since with many rows every test rejects for differences too small to matter.
#include <map>
#include <string>
#include <vector>

#include "adapt/common/error.h"

namespace adapt {

// Two-sample Kolmogorov-Smirnov: the largest gap between the empirical CDFs.
struct KsResult {
  double statistic = 0.0;
  double p_value = 1.0;  // asymptotic (Kolmogorov distribution with Stephens' small-sample correction)
};
ADAPT_API KsResult ks_two_sample(std::vector<double> a, std::vector<double> b);

// Wasserstein-1 distance between the empirical distributions, divided by the standard deviation of
// `reference` (Evidently's "normed" distance; 0 when both are constant and equal).
ADAPT_API double wasserstein_normed(std::vector<double> reference, std::vector<double> current);

// Upper tail of the chi-squared distribution: P(X >= x) with `dof` degrees of freedom.
ADAPT_API double chi_squared_p_value(double x, double dof);

// Chi-squared test of `current`'s category counts against the proportions of `reference`
// (categories of `current` unseen in `reference` get a small floor, as Evidently does).
struct ChiSquaredResult {
  double statistic = 0.0;
  double p_value = 1.0;
};
ADAPT_API ChiSquaredResult chi_squared_counts(const std::map<std::string, size_t>& reference,
                                              const std::map<std::string, size_t>& current);

// Jensen-Shannon distance (square root of the divergence, natural log as scipy and Evidently: 0 to
// sqrt(ln 2) = 0.83) of two category counts.
ADAPT_API double jensen_shannon_distance(const std::map<std::string, size_t>& reference,
                                         const std::map<std::string, size_t>& current);

}  // namespace adapt
