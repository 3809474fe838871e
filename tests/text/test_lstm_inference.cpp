// lstm_inference against torch::lstm on a packed sequence, the computation it stands in for when a
// text model predicts: same values to float rounding, zeros at padded steps, any row order.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <limits>

#include "lstm_inference.h"
#include "test_lstm_support.h"

namespace adapt::text {
namespace {

using testing::packed_lstm;
using testing::random_weights;

TEST(TextLstmInference, AgreesWithPackedTorchLstm) {
  torch::manual_seed(3);
  torch::NoGradGuard no_grad;
  for (bool bidirectional : {false, true}) {
    for (const auto& lengths : {torch::tensor({5, 9, 1, 9, 3}), torch::tensor({7, 7}), torch::tensor({4}),
                                torch::tensor({6, 4, 2})}) {
      const int64_t steps = lengths.max().item<int64_t>() + (lengths.size(0) == 3 ? 2 : 0);  // extra padding too
      auto x = torch::randn({lengths.size(0), steps, 6});
      // hidden 9: 36 gates, one block of 32 in registers and a tail of 4; hidden 5: only the tail.
      auto w = random_weights(6, lengths.size(0) % 2 == 0 ? 9 : 5, bidirectional ? 2 : 1);
      auto expected = packed_lstm(x, lengths, w, bidirectional);
      auto got = lstm_inference(x, lengths, w, bidirectional);
      ASSERT_EQ(got.sizes(), expected.sizes());
      EXPECT_TRUE(torch::allclose(got, expected, 1e-5, 1e-6))
          << "bidirectional " << bidirectional << " lengths " << lengths << (got - expected).abs().max();
      auto portable = lstm_inference(x, lengths, w, bidirectional, LstmKernel::portable);
      EXPECT_TRUE(torch::allclose(portable, expected, 1e-5, 1e-6)) << "the build for any x86-64 CPU";
      for (int64_t r = 0; r < lengths.size(0); ++r) {
        const int64_t len = lengths[r].item<int64_t>();
        if (len < steps) {
          EXPECT_EQ(got[r].narrow(0, len, steps - len).abs().max().item<float>(), 0.0f);
        }
      }
    }
  }
}

TEST(TextLstmInference, SaturatesOnLargeInputsAndPassesNanOn) {
  torch::manual_seed(4);
  torch::NoGradGuard no_grad;
  auto w = random_weights(3, 4, 2);
  auto x = torch::randn({2, 5, 3}) * 1e4;  // gates far past exp's range: sigmoid and tanh saturate
  auto lengths = torch::tensor({5, 3});
  auto got = lstm_inference(x, lengths, w, true);
  EXPECT_TRUE(torch::isfinite(got).all().item<bool>()) << got;
  EXPECT_TRUE(torch::allclose(got, packed_lstm(x, lengths, w, true), 1e-5, 1e-6));
  x[1][1][0] = std::numeric_limits<float>::quiet_NaN();
  got = lstm_inference(x, lengths, w, true);
  EXPECT_TRUE(torch::isnan(got[1][1]).all().item<bool>()) << "a NaN input must not turn into a number";
  EXPECT_TRUE(torch::isfinite(got[0]).all().item<bool>()) << "other rows are unaffected";
}

TEST(TextLstmInference, RejectsMismatchedShapes) {
  auto w = random_weights(3, 2, 1);
  EXPECT_THROW(lstm_inference(torch::randn({2, 4}), torch::tensor({4, 4}), w, false), std::invalid_argument);
  EXPECT_THROW(lstm_inference(torch::randn({2, 4, 3}), torch::tensor({4}), w, false), std::invalid_argument);
  EXPECT_THROW(lstm_inference(torch::randn({2, 4, 3}), torch::tensor({4, 4}), w, true), std::invalid_argument);
}

}  // namespace
}  // namespace adapt::text
