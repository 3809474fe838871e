// The drift tests' statistics against known answers.
#include <gtest/gtest.h>

#include <cmath>

#include "adapt/monitor/two_sample_tests.h"

namespace two_sample_tests_test {

using namespace adapt;

TEST(TwoSampleTests, ChiSquaredOnTwoSamplesOfCounts) {
  // 30/10 against 10/30: expected 20 in every cell, statistic 4 * 100 / 20 = 20, one degree of freedom.
  const TwoSampleResult r = chi_squared_two_sample({{"x", 30}, {"y", 10}}, {{"x", 10}, {"y", 30}});
  EXPECT_NEAR(r.statistic, 20.0, 1e-12);
  EXPECT_NEAR(r.p_value, std::erfc(std::sqrt(20.0 / 2.0)), 1e-9);
  EXPECT_DOUBLE_EQ(chi_squared_two_sample({{"x", 5}, {"y", 5}}, {{"x", 5}, {"y", 5}}).p_value, 1.0);
}

TEST(TwoSampleTests, MmdSeesAShiftAndNotTheSameDistribution) {
  torch::manual_seed(3);
  const torch::Tensor a = torch::randn({300, 8}), b = torch::randn({300, 8});
  const TwoSampleResult same = mmd_test(a, b, 200, 1);
  EXPECT_GT(same.p_value, 0.01);
  torch::Tensor shifted = torch::randn({300, 8});
  shifted.select(1, 2) += 0.5;
  const TwoSampleResult moved = mmd_test(a, shifted, 200, 1);
  EXPECT_LT(moved.p_value, 0.01);
  EXPECT_GT(moved.statistic, same.statistic);
  EXPECT_THROW(mmd_test(a, torch::randn({10, 3})), Error);
}

}  // namespace two_sample_tests_test
