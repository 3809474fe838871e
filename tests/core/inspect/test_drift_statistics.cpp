// Known answers of the drift statistics (hand-computed; the chi-squared quantiles are textbook values).
#include <gtest/gtest.h>

#include <cmath>

#include "adapt/inspect/drift_statistics.h"
#include "adapt/inspect/leakage.h"

namespace inspect_test {
using namespace adapt;

TEST(InspectStatistics, ChiSquaredPValueMatchesTables) {
  EXPECT_NEAR(chi_squared_p_value(3.841459, 1), 0.05, 1e-6);
  EXPECT_NEAR(chi_squared_p_value(5.991465, 2), 0.05, 1e-6);
  EXPECT_NEAR(chi_squared_p_value(2.0, 2), std::exp(-1.0), 1e-9);  // dof 2: exp(-x/2)
  EXPECT_NEAR(chi_squared_p_value(30.0, 10), 0.000857, 1e-5);
  EXPECT_DOUBLE_EQ(chi_squared_p_value(0.0, 3), 1.0);
}

TEST(InspectStatistics, ChiSquaredCountsAgainstReferenceShares) {
  // Expected 50/50 from the reference; observed 60/40: (10^2 + 10^2) / 50 = 4, p = 0.0455 with 1 dof.
  auto r = chi_squared_counts({{"a", 500}, {"b", 500}}, {{"a", 60}, {"b", 40}});
  EXPECT_NEAR(r.statistic, 4.0, 1e-9);
  EXPECT_NEAR(r.p_value, 0.0455, 1e-4);
  EXPECT_NEAR(chi_squared_counts({{"a", 5}, {"b", 5}}, {{"a", 50}, {"b", 50}}).p_value, 1.0, 1e-12);
}

TEST(InspectStatistics, KolmogorovSmirnov) {
  std::vector<double> a, b, c;
  for (int i = 0; i < 100; ++i) a.push_back(i), b.push_back(i + 50), c.push_back(i + 0.5);
  const KsResult shifted = ks_two_sample(a, b);
  EXPECT_NEAR(shifted.statistic, 0.5, 1e-12);
  EXPECT_LT(shifted.p_value, 1e-6);
  const KsResult same = ks_two_sample(a, c);
  EXPECT_NEAR(same.statistic, 0.01, 1e-12);
  EXPECT_GT(same.p_value, 0.99);
}

TEST(InspectStatistics, WassersteinIsNormedByTheReferenceSpread) {
  EXPECT_NEAR(wasserstein_normed({0, 1}, {1, 2}), 2.0, 1e-12);  // distance 1, reference sd 0.5
  EXPECT_NEAR(wasserstein_normed({0, 1, 2, 3}, {0, 1, 2, 3}), 0.0, 1e-12);
}

TEST(InspectStatistics, JensenShannonDistance) {
  EXPECT_NEAR(jensen_shannon_distance({{"a", 3}, {"b", 7}}, {{"a", 30}, {"b", 70}}), 0.0, 1e-12);
  EXPECT_NEAR(jensen_shannon_distance({{"a", 1}}, {{"b", 1}}), std::sqrt(std::log(2.0)), 1e-12);
}

TEST(InspectStatistics, AurocCountsTiesHalf) {
  EXPECT_NEAR(auroc({0.1, 0.4, 0.35, 0.8}, {false, false, true, true}), 0.75, 1e-12);
  EXPECT_NEAR(auroc({0.5, 0.5}, {false, true}), 0.5, 1e-12);
  EXPECT_NEAR(auroc({1, 2, 3}, {true, true, true}), 0.5, 1e-12);  // one class: no ranking
}

}  // namespace inspect_test
