// Two-sample statistics of the drift checks (Numerical Recipes' forms of the Kolmogorov and incomplete
// gamma series; scipy's conventions for the distances).
#include "adapt/inspect/drift_statistics.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace adapt {
namespace {

// Kolmogorov's Q(lambda) = 2 sum_{j>=1} (-1)^(j-1) exp(-2 j^2 lambda^2).
double kolmogorov_q(double lambda) {
  if (lambda < 1e-3) return 1.0;
  double sum = 0.0, sign = 1.0, previous = 0.0;
  for (int j = 1; j <= 100; ++j) {
    const double term = sign * 2.0 * std::exp(-2.0 * j * j * lambda * lambda);
    sum += term;
    if (std::fabs(term) <= 1e-10 * std::fabs(previous) || std::fabs(term) <= 1e-16 * sum) return std::clamp(sum, 0.0, 1.0);
    sign = -sign;
    previous = term;
  }
  return 1.0;  // the series did not settle: no evidence of a difference
}

// Regularised upper incomplete gamma Q(a, x): series below a + 1, continued fraction above.
double gamma_q(double a, double x) {
  if (x <= 0.0) return 1.0;
  const double log_prefix = -x + a * std::log(x) - std::lgamma(a);
  if (x < a + 1.0) {
    double ap = a, sum = 1.0 / a, del = sum;
    for (int n = 0; n < 1000; ++n) {
      ap += 1.0;
      del *= x / ap;
      sum += del;
      if (std::fabs(del) < std::fabs(sum) * 1e-15) break;
    }
    return std::clamp(1.0 - sum * std::exp(log_prefix), 0.0, 1.0);
  }
  const double tiny = 1e-300;
  double b = x + 1.0 - a, c = 1.0 / tiny, d = 1.0 / b, h = d;
  for (int i = 1; i < 1000; ++i) {
    const double an = -i * (i - a);
    b += 2.0;
    d = an * d + b;
    if (std::fabs(d) < tiny) d = tiny;
    c = b + an / c;
    if (std::fabs(c) < tiny) c = tiny;
    d = 1.0 / d;
    const double del = d * c;
    h *= del;
    if (std::fabs(del - 1.0) < 1e-15) break;
  }
  return std::clamp(std::exp(log_prefix) * h, 0.0, 1.0);
}

double standard_deviation(const std::vector<double>& v) {
  if (v.size() < 2) return 0.0;
  double mean = 0.0;
  for (double x : v) mean += x;
  mean /= static_cast<double>(v.size());
  double ss = 0.0;
  for (double x : v) ss += (x - mean) * (x - mean);
  return std::sqrt(ss / static_cast<double>(v.size()));  // numpy's std (ddof 0), as Evidently
}

// Shares of each category of the union of both count maps, in the same order.
std::pair<std::vector<double>, std::vector<double>> shares(const std::map<std::string, size_t>& a,
                                                           const std::map<std::string, size_t>& b) {
  std::map<std::string, std::pair<double, double>> all;
  double na = 0.0, nb = 0.0;
  for (const auto& [k, n] : a) all[k].first = static_cast<double>(n), na += static_cast<double>(n);
  for (const auto& [k, n] : b) all[k].second = static_cast<double>(n), nb += static_cast<double>(n);
  std::vector<double> pa, pb;
  for (const auto& [k, counts] : all) {
    pa.push_back(na > 0 ? counts.first / na : 0.0);
    pb.push_back(nb > 0 ? counts.second / nb : 0.0);
  }
  return {pa, pb};
}

}  // namespace

KsResult ks_two_sample(std::vector<double> a, std::vector<double> b) {
  KsResult result;
  if (a.empty() || b.empty()) return result;
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  const double na = static_cast<double>(a.size()), nb = static_cast<double>(b.size());
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    const double x = std::min(a[i], b[j]);
    while (i < a.size() && a[i] <= x) ++i;
    while (j < b.size() && b[j] <= x) ++j;
    result.statistic = std::max(result.statistic, std::fabs(static_cast<double>(i) / na - static_cast<double>(j) / nb));
  }
  const double en = std::sqrt(na * nb / (na + nb));
  result.p_value = kolmogorov_q((en + 0.12 + 0.11 / en) * result.statistic);
  return result;
}

double wasserstein_normed(std::vector<double> reference, std::vector<double> current) {
  if (reference.empty() || current.empty()) return 0.0;
  const double sd = standard_deviation(reference);
  std::sort(reference.begin(), reference.end());
  std::sort(current.begin(), current.end());
  // Integral of |F_ref - F_cur| over the merged support.
  std::vector<double> points(reference);
  points.insert(points.end(), current.begin(), current.end());
  std::sort(points.begin(), points.end());
  const double nr = static_cast<double>(reference.size()), nc = static_cast<double>(current.size());
  double distance = 0.0;
  size_t i = 0, j = 0;
  for (size_t k = 0; k + 1 < points.size(); ++k) {
    while (i < reference.size() && reference[i] <= points[k]) ++i;
    while (j < current.size() && current[j] <= points[k]) ++j;
    distance += std::fabs(static_cast<double>(i) / nr - static_cast<double>(j) / nc) * (points[k + 1] - points[k]);
  }
  return sd > 0.0 ? distance / sd : distance;
}

double chi_squared_p_value(double x, double dof) {
  if (dof <= 0.0) return 1.0;
  return gamma_q(dof / 2.0, x / 2.0);
}

ChiSquaredResult chi_squared_counts(const std::map<std::string, size_t>& reference,
                                    const std::map<std::string, size_t>& current) {
  ChiSquaredResult result;
  auto [ref, cur] = shares(reference, current);
  if (ref.size() < 2) return result;
  double n_current = 0.0;
  for (const auto& [k, n] : current) n_current += static_cast<double>(n);
  if (n_current == 0.0) return result;
  for (size_t k = 0; k < ref.size(); ++k) {
    const double expected = std::max(ref[k], 1e-4) * n_current;
    const double observed = cur[k] * n_current;
    result.statistic += (observed - expected) * (observed - expected) / expected;
  }
  result.p_value = chi_squared_p_value(result.statistic, static_cast<double>(ref.size() - 1));
  return result;
}

double jensen_shannon_distance(const std::map<std::string, size_t>& reference,
                               const std::map<std::string, size_t>& current) {
  auto [p, q] = shares(reference, current);
  double divergence = 0.0;
  for (size_t k = 0; k < p.size(); ++k) {
    const double m = 0.5 * (p[k] + q[k]);
    if (p[k] > 0) divergence += 0.5 * p[k] * std::log(p[k] / m);
    if (q[k] > 0) divergence += 0.5 * q[k] * std::log(q[k] / m);
  }
  return std::sqrt(std::max(divergence, 0.0));
}

}  // namespace adapt
