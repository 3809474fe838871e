// Core losses against torch's functional equivalents and hand-written formulas.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "adapt/model/losses.h"

namespace F = torch::nn::functional;

namespace {

torch::Tensor logits_3x4() {
  return torch::tensor({{1.0, 2.0, 0.5, -1.0}, {0.0, 0.0, 3.0, 1.0}, {-2.0, 1.0, 1.0, 0.0}}, torch::kFloat);
}

TEST(CrossEntropyLossTest, ClassTargetsMatchTorch) {
  auto out = logits_3x4();
  auto y = torch::tensor({1, 2, 0}, torch::kLong);
  adapt::CrossEntropyLoss loss;
  auto expected = F::cross_entropy(out, y, F::CrossEntropyFuncOptions().reduction(torch::kNone));
  EXPECT_TRUE(torch::allclose(loss.per_item(out, y), expected));
  EXPECT_NEAR(loss(out, y).item<double>(), expected.mean().item<double>(), 1e-6);
  // Item 0 by hand: logsumexp(1, 2, .5, -1) - 2.
  const double lse = std::log(std::exp(1.0) + std::exp(2.0) + std::exp(0.5) + std::exp(-1.0));
  EXPECT_NEAR(loss.per_item(out, y)[0].item<double>(), lse - 2.0, 1e-6);
}

TEST(CrossEntropyLossTest, LabelSmoothingIsFastaiFormula) {
  auto out = logits_3x4();
  auto y = torch::tensor({1, 2, 0}, torch::kLong);
  const double eps = 0.1;
  adapt::CrossEntropyLoss loss({eps, -100});
  auto logp = out.log_softmax(1);
  // fastai LabelSmoothingCrossEntropy: (1 - eps) nll + eps * mean over classes of -log p.
  auto expected = (1 - eps) * -logp.gather(1, y.unsqueeze(1)).squeeze(1) + eps * -logp.mean(1);
  EXPECT_TRUE(torch::allclose(loss.per_item(out, y), expected, 1e-5, 1e-6));
}

TEST(CrossEntropyLossTest, ProbabilityTargets) {
  auto out = logits_3x4();
  auto t = torch::tensor({{0.5, 0.5, 0.0, 0.0}, {0.0, 0.0, 1.0, 0.0}, {0.25, 0.25, 0.25, 0.25}}, torch::kFloat);
  adapt::CrossEntropyLoss loss;
  auto expected = -(t * out.log_softmax(1)).sum(1);
  EXPECT_TRUE(torch::allclose(loss.per_item(out, t), expected, 1e-5, 1e-6));
}

TEST(CrossEntropyLossTest, SequencesIgnorePaddingPerItemAndPerToken) {
  torch::manual_seed(0);
  auto out = torch::randn({2, 3, 5});
  auto y = torch::tensor({{1, 4, -100}, {0, -100, -100}}, torch::kLong);
  adapt::CrossEntropyLoss loss;
  auto tokens = F::cross_entropy(out.reshape({6, 5}), y.reshape({6}),
                                 F::CrossEntropyFuncOptions().reduction(torch::kNone).ignore_index(-100))
                    .view({2, 3});
  auto per_item = loss.per_item(out, y);
  EXPECT_NEAR(per_item[0].item<double>(), (tokens[0][0] + tokens[0][1]).item<double>() / 2, 1e-6);
  EXPECT_NEAR(per_item[1].item<double>(), tokens[1][0].item<double>(), 1e-6);
  // The training loss is the token mean, as PyTorch's default reduction.
  auto expected = F::cross_entropy(out.reshape({6, 5}), y.reshape({6}), F::CrossEntropyFuncOptions().ignore_index(-100));
  EXPECT_NEAR(loss(out, y).item<double>(), expected.item<double>(), 1e-6);
  // An item with every position ignored gives 0, not NaN.
  auto all_pad = torch::full({1, 3}, -100, torch::kLong);
  EXPECT_EQ(loss.per_item(out.slice(0, 0, 1), all_pad)[0].item<double>(), 0.0);
  EXPECT_EQ(loss(out.slice(0, 0, 1), all_pad).item<double>(), 0.0);
}

TEST(CrossEntropyLossTest, BadTargetsAreClearErrors) {
  adapt::CrossEntropyLoss loss;
  auto out = logits_3x4();
  try {
    loss.per_item(out, torch::tensor({1, 7, 0}, torch::kLong));
    FAIL() << "expected an error";
  } catch (const adapt::Error& e) {
    EXPECT_NE(std::string(e.what()).find("target class 7"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("4 classes"), std::string::npos) << e.what();
  }
  EXPECT_THROW(loss.per_item(out, torch::tensor({1, 2}, torch::kLong)), adapt::Error);
  EXPECT_THROW(adapt::CrossEntropyLoss({1.5, -100}), adapt::OptionError);
}

TEST(BCEWithLogitsLossTest, MatchesTorchAndAcceptsSingleLabelShapes) {
  auto out = torch::tensor({{0.5, -1.0, 2.0}, {0.0, 3.0, -2.0}});
  auto t = torch::tensor({{1.0, 0.0, 1.0}, {0.0, 1.0, 1.0}});
  adapt::BCEWithLogitsLoss loss;
  auto expected = F::binary_cross_entropy_with_logits(
                      out, t, F::BinaryCrossEntropyWithLogitsFuncOptions().reduction(torch::kNone))
                      .mean(1);
  EXPECT_TRUE(torch::allclose(loss.per_item(out, t), expected));
  auto one = torch::tensor({{0.3}, {-0.7}});
  auto y = torch::tensor({1, 0}, torch::kLong);  // int targets, [B] against [B,1]
  EXPECT_NEAR(loss.per_item(one, y)[0].item<double>(), std::log1p(std::exp(-0.3)), 1e-6);
  EXPECT_NEAR(loss.per_item(one, y)[1].item<double>(), std::log1p(std::exp(-0.7)), 1e-6);
  EXPECT_THROW(loss.per_item(out, t.slice(1, 0, 2)), adapt::Error);
}

TEST(MSELossTest, MatchesTorchForBothShapes) {
  auto out = torch::tensor({{1.5}, {2.0}, {2.5}, {5.0}});
  auto y = torch::tensor({1.0, 2.0, 3.0, 4.0});
  adapt::MSELoss loss;
  auto per_item = loss.per_item(out, y);
  EXPECT_TRUE(torch::allclose(per_item, torch::tensor({0.25, 0.0, 0.25, 1.0})));
  EXPECT_NEAR(loss(out, y).item<double>(), F::mse_loss(out.squeeze(1), y).item<double>(), 1e-7);
  EXPECT_THROW(loss.per_item(out, torch::ones({3})), adapt::Error);
}

TEST(MakeLossTest, MapsBlockLossNames) {
  EXPECT_NE(dynamic_cast<adapt::CrossEntropyLoss*>(adapt::make_loss("cross_entropy").get()), nullptr);
  EXPECT_NE(dynamic_cast<adapt::BCEWithLogitsLoss*>(adapt::make_loss("bce_with_logits").get()), nullptr);
  EXPECT_NE(dynamic_cast<adapt::MSELoss*>(adapt::make_loss("mse").get()), nullptr);
  EXPECT_THROW(adapt::make_loss("hinge"), adapt::Error);
}

}  // namespace
