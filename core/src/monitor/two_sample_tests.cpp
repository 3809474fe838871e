// The two-sample tests of two_sample_tests.h.
#include "adapt/monitor/two_sample_tests.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <set>

#include "adapt/inspect/drift_statistics.h"

namespace adapt {

TwoSampleResult mmd_test(const torch::Tensor& reference, const torch::Tensor& current, int64_t permutations,
                         uint64_t seed) {
  if (reference.dim() != 2 || current.dim() != 2 || reference.size(1) != current.size(1))
    throw Error("mmd_test: expected two [rows, D] tensors of the same width");
  const int64_t m = reference.size(0), n = current.size(0), l = m + n;
  if (m < 2 || n < 2) throw Error("mmd_test: each sample needs at least 2 rows");
  const torch::Tensor ref = reference.detach().to(torch::kCPU, torch::kDouble);
  const torch::Tensor scale = ref.std(0, /*unbiased=*/true).clamp_min(1e-12);
  const torch::Tensor z = torch::cat({ref, current.detach().to(torch::kCPU, torch::kDouble)}) / scale;
  const torch::Tensor d2 = torch::cdist(z, z).pow(2);
  const torch::Tensor off = d2.masked_select(~torch::eye(l, torch::kBool));
  const double median = std::max(off.median().item<double>(), 1e-12);
  torch::Tensor k = torch::exp(-d2 / median);
  k.fill_diagonal_(0.0);  // the unbiased estimate leaves out each row's kernel with itself
  const double total = k.sum().item<double>();
  // MMD^2 for labellings a (1: reference) as columns: a'Ka, a'K(1-a) from one product.
  auto mmd = [&](const torch::Tensor& a) {
    const torch::Tensor ka = k.mm(a);
    const torch::Tensor xx = (a * ka).sum(0), xy = ((1 - a) * ka).sum(0);
    const torch::Tensor yy = total - 2 * xy - xx;
    const auto md = static_cast<double>(m), nd = static_cast<double>(n);
    return xx / (md * (md - 1)) + yy / (nd * (nd - 1)) - 2 * xy / (md * nd);
  };
  torch::Tensor observed = torch::zeros({l, 1}, torch::kDouble);
  observed.narrow(0, 0, m).fill_(1.0);
  const double statistic = mmd(observed).item<double>();
  std::mt19937_64 rng(seed);
  std::vector<int64_t> order(static_cast<size_t>(l));
  std::iota(order.begin(), order.end(), 0);
  torch::Tensor labels = torch::zeros({l, permutations}, torch::kDouble);
  auto acc = labels.accessor<double, 2>();
  for (int64_t p = 0; p < permutations; ++p) {
    std::shuffle(order.begin(), order.end(), rng);
    for (int64_t i = 0; i < m; ++i) acc[order[static_cast<size_t>(i)]][p] = 1.0;
  }
  const int64_t at_least = (mmd(labels) >= statistic).sum().item<int64_t>();
  return {statistic, static_cast<double>(1 + at_least) / static_cast<double>(1 + permutations)};
}

TwoSampleResult chi_squared_two_sample(const std::map<std::string, size_t>& a, const std::map<std::string, size_t>& b) {
  std::set<std::string> categories;
  double na = 0, nb = 0;
  for (const auto& [c, n] : a) categories.insert(c), na += static_cast<double>(n);
  for (const auto& [c, n] : b) categories.insert(c), nb += static_cast<double>(n);
  if (na == 0 || nb == 0 || categories.size() < 2) return {};
  double x = 0;
  for (const auto& c : categories) {
    const double oa = a.count(c) ? static_cast<double>(a.at(c)) : 0.0, ob = b.count(c) ? static_cast<double>(b.at(c)) : 0.0;
    const double total = oa + ob, ea = total * na / (na + nb), eb = total * nb / (na + nb);
    x += (oa - ea) * (oa - ea) / ea + (ob - eb) * (ob - eb) / eb;
  }
  return {x, chi_squared_p_value(x, static_cast<double>(categories.size() - 1))};
}

}  // namespace adapt
