// Schedules against fastai's formulas (values checked with fastai's combined_cos / SchedExp /
// valley code in Python).
#include <gtest/gtest.h>

#include <cmath>

#include "adapt/train/schedule.h"

namespace {

TEST(OneCycleTest, LrAndMomentumAtKeySteps) {
  adapt::OneCycleSchedule s(1e-2, 100);
  // Step 0: lr_max / div, first momentum.
  EXPECT_NEAR(s.lr(0), 4e-4, 1e-15);
  EXPECT_NEAR(*s.mom(0), 0.95, 1e-15);
  // Warm-up, pos 0.1 -> phase position 0.4: 4e-4 + (1 + cos(0.6 pi)) / 2 * 9.6e-3.
  EXPECT_NEAR(s.lr(10), 4e-4 + (1 + std::cos(0.6 * M_PI)) / 2 * 9.6e-3, 1e-15);
  EXPECT_NEAR(s.lr(10), 0.0037167184270002532, 1e-15);
  EXPECT_NEAR(*s.mom(10), 0.9154508497187474, 1e-15);
  // The peak at pct_start.
  EXPECT_NEAR(s.lr(25), 1e-2, 1e-15);
  EXPECT_NEAR(*s.mom(25), 0.85, 1e-15);
  EXPECT_NEAR(s.lr(60), 0.005522687089915105, 1e-15);
  EXPECT_NEAR(*s.mom(60), 0.8947735768366173, 1e-15);
  // The last batch comes just before the final value lr_max / div_final.
  EXPECT_NEAR(s.lr(99), 4.48580564721239e-06, 1e-18);
  EXPECT_NEAR(*s.mom(99), 0.9499561415049429, 1e-15);
  EXPECT_NEAR(s.lr(100), 1e-7, 1e-18);
  EXPECT_EQ(s.total_steps(), 100);
}

TEST(OneCycleTest, InvalidOptionsAreErrors) {
  EXPECT_THROW(adapt::OneCycleSchedule(0.0, 10), adapt::OptionError);
  EXPECT_THROW(adapt::OneCycleSchedule(1e-3, 0), adapt::OptionError);
  adapt::OneCycleOptions o;
  o.pct_start = 1.5;
  EXPECT_THROW(adapt::OneCycleSchedule(1e-3, 10, o), adapt::OptionError);
}

TEST(ScheduleTest, FlatAndCosine) {
  adapt::FlatSchedule flat(3e-3, 10);
  EXPECT_EQ(flat.lr(0), 3e-3);
  EXPECT_EQ(flat.lr(9), 3e-3);
  EXPECT_FALSE(flat.mom(3).has_value());
  adapt::CosineSchedule cos(1e-2, 100);
  EXPECT_NEAR(cos.lr(0), 1e-2, 1e-15);
  EXPECT_NEAR(cos.lr(50), (1e-2 + 1e-7) / 2, 1e-15);
  EXPECT_NEAR(cos.lr(100), 1e-7, 1e-18);
  adapt::CosineSchedule flat_cos(1e-2, 100, 0.75);
  EXPECT_NEAR(flat_cos.lr(74), 1e-2, 1e-15);
  EXPECT_NEAR(flat_cos.lr(75), 1e-2, 1e-15);
  EXPECT_NEAR(flat_cos.lr(100), 1e-7, 1e-18);
  EXPECT_LT(flat_cos.lr(90), 1e-2);
}

TEST(LrFindTest, ExponentialSchedule) {
  adapt::ExponentialSchedule s;  // 1e-7 -> 10 over 100 iterations
  EXPECT_NEAR(s.lr(0), 1e-7, 1e-20);
  EXPECT_NEAR(s.lr(50), 1e-3, 1e-15);
  EXPECT_NEAR(s.lr(25), 1e-5, 1e-17);
  EXPECT_NEAR(s.lr(100), 10.0, 1e-12);
  EXPECT_THROW(adapt::ExponentialSchedule(1.0, 0.1), adapt::OptionError);
}

TEST(LrFindTest, SmoothedLossIsDebiasedEma) {
  adapt::SmoothedLoss smooth;
  EXPECT_EQ(smooth.value(), 0.0);
  EXPECT_NEAR(smooth.add(1.0), 1.0, 1e-12);  // 0.02 / (1 - 0.98)
  // (0.98 * 0.02 + 0.02 * 2) / (1 - 0.98^2)
  EXPECT_NEAR(smooth.add(2.0), 0.0596 / 0.0396, 1e-12);
}

TEST(LrFindTest, RecorderStopsOnDivergenceOrAfterNumIt) {
  adapt::LrFindRecorder rec(100);
  EXPECT_FALSE(rec.add(1e-7, 1.0));
  EXPECT_FALSE(rec.add(1e-6, 1.0));
  EXPECT_TRUE(rec.add(1e-5, 1000.0));  // smoothed jumps above 4x the best
  EXPECT_EQ(rec.losses().size(), 3u);
  adapt::LrFindRecorder nan_rec(100);
  EXPECT_TRUE(nan_rec.add(1e-7, std::nan("")));
  adapt::LrFindRecorder short_rec(3);
  EXPECT_FALSE(short_rec.add(1e-7, 1.0));
  EXPECT_FALSE(short_rec.add(1e-6, 1.0));
  EXPECT_TRUE(short_rec.add(1e-5, 1.0));
}

TEST(LrFindTest, SuggestionsOnSyntheticCurve) {
  // Flat until point 30, quadratically steeper descent until 69, then divergence.
  std::vector<double> lrs, losses;
  for (int i = 0; i < 100; ++i) {
    lrs.push_back(1e-7 * std::pow(1e8, i / 100.0));
    losses.push_back(i < 30 ? 3.0 : i < 70 ? 3.0 - 0.001 * (i - 30) * (i - 30) : 1.479 + (i - 69) * 0.5);
  }
  auto s = adapt::suggest_lr(lrs, losses);
  // fastai's valley: longest descent from point 29 to 69, index 29 + 13 + 6 = 48.
  EXPECT_NEAR(s.valley, lrs[48], 1e-15);
  EXPECT_NEAR(s.valley, 0.0006918309709189362, 1e-15);
  EXPECT_NEAR(s.steep, lrs[68], 1e-15);  // steepest segment 68 -> 69
  EXPECT_NEAR(s.minimum, lrs[69] / 10, 1e-15);
  EXPECT_THROW(adapt::suggest_lr({1e-3}, {1.0}), adapt::Error);
  EXPECT_THROW(adapt::suggest_lr({1e-3, 1e-2}, {1.0}), adapt::Error);
}

TEST(ScheduleTest, SpreadLrsIsGeometric) {
  auto lrs = adapt::spread_lrs(1e-4, 1e-2, 3);
  ASSERT_EQ(lrs.size(), 3u);
  EXPECT_NEAR(lrs[0], 1e-4, 1e-18);
  EXPECT_NEAR(lrs[1], 1e-3, 1e-16);
  EXPECT_NEAR(lrs[2], 1e-2, 1e-16);
  EXPECT_EQ(adapt::spread_lrs(1e-4, 1e-2, 1), std::vector<double>{1e-2});
}

}  // namespace
