// Calibration: the expected calibration error by hand, and temperature scaling recovering the
// temperature that generated the labels.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "adapt/metrics/calibration.h"

namespace calibration_test {

using namespace adapt;

TEST(Calibration, ExpectedCalibrationErrorByHand) {
  // Two items at confidence 0.8 (one right), two at 0.6 (both right); 10 bins.
  const double l8 = std::log(0.8 / 0.2), l6 = std::log(0.6 / 0.4);
  const torch::Tensor logits = torch::tensor({l8, 0.0, l8, 0.0, 0.0, l6, 0.0, l6}, torch::kDouble).reshape({4, 2});
  const torch::Tensor targets = torch::tensor({0, 1, 1, 1}, torch::kLong);
  const ReliabilityBins bins = reliability(logits, targets, 10);
  ASSERT_EQ(bins.count.size(), 2u);
  EXPECT_NEAR(bins.confidence[0], 0.6, 1e-9);
  EXPECT_NEAR(bins.accuracy[0], 1.0, 1e-9);
  EXPECT_NEAR(bins.confidence[1], 0.8, 1e-9);
  EXPECT_NEAR(bins.accuracy[1], 0.5, 1e-9);
  EXPECT_NEAR(bins.ece, 0.5 * 0.4 + 0.5 * 0.3, 1e-9);
  // A row without a target (ignore index) is left out.
  const torch::Tensor with_ignored = torch::tensor({0, 1, 1, -100}, torch::kLong);
  EXPECT_EQ(reliability(logits, with_ignored, 10).count.size(), 2u);
}

TEST(Calibration, TemperatureScalingRecoversTheGeneratingTemperatureAndLowersTheError) {
  torch::manual_seed(3);
  const torch::Tensor logits = torch::randn({20000, 4}, torch::kDouble) * 3;
  // Labels drawn from softmax(logits / 2): the logits are twice as confident as they should be.
  const torch::Tensor targets = torch::multinomial(torch::softmax(logits / 2.0, 1), 1).squeeze(1);
  const double t = fit_temperature(logits, targets);
  EXPECT_NEAR(t, 2.0, 0.1);
  EXPECT_LT(expected_calibration_error(logits / t, targets), 0.02);
  EXPECT_GT(expected_calibration_error(logits, targets), 0.05);
  EXPECT_EQ(fit_temperature(torch::zeros({0, 3}), torch::zeros({0}, torch::kLong)), 1.0);
  EXPECT_THROW(reliability(torch::zeros({3}), torch::zeros({3}, torch::kLong)), Error);
}

}  // namespace calibration_test
