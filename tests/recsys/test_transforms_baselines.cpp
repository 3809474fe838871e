// Id dropout, negative sampling (uniform and by popularity) and the bias / popularity baselines.
#include <adapt/baseline/baseline.h>
#include <adapt/data/data_blocks.h>
#include <torch/torch.h>

#include "recsys_test_util.h"

using adapt::json;

namespace {

std::shared_ptr<adapt::DataBlocks> fitted_blocks(const adapt::Records& train, bool rating_target = true) {
  auto& r = recsys_test::registry();
  auto blocks = std::make_shared<adapt::DataBlocks>(
      std::vector<adapt::BoundBlock>{{"x", r.block({{"name", "recsys.ids"}}, "inputs[0]")}},
      adapt::BoundBlock{"y", r.block({{"name", rating_target ? "recsys.rating" : "recsys.implicit"}}, "target")});
  blocks->setup(train);
  return blocks;
}

adapt::Records skewed() {
  // item a: 90 interactions, item b: 10.
  adapt::Records r({"user", "item", "rating", "timestamp"}, "skewed");
  for (int u = 0; u < 100; ++u) r.add_row({"u" + std::to_string(u), u < 90 ? "a" : "b", "1", "0"});
  return r;
}

adapt::Batch positives(int64_t n) {
  return {{"x.user", torch::arange(1, n + 1).view({-1, 1})},
          {"x.item", torch::ones({n, 1}, torch::kInt64)},
          {"y", torch::ones({n, 1})}};
}

TEST(IdDropout, ReplacesIdsWithTheUnknownRowAtTheRate) {
  auto t = recsys_test::registry().transform({{"name", "recsys.id_dropout"}, {"user_rate", 1.0}, {"item_rate", 0.0}},
                                             "transforms[0]");
  EXPECT_FALSE(t->on_valid());
  adapt::Batch b = positives(5);
  adapt::Rng rng(1);
  t->apply(b, rng);
  EXPECT_EQ(b["x.user"].sum().item<int64_t>(), 0);
  EXPECT_EQ(b["x.item"].sum().item<int64_t>(), 5);

  auto half = recsys_test::registry().transform({{"name", "recsys.id_dropout"}, {"user_rate", 0.5}}, "t");
  adapt::Batch big = positives(10000);
  half->apply(big, rng);
  EXPECT_NEAR(big["x.user"].eq(0).to(torch::kDouble).mean().item<double>(), 0.5, 0.03);
}

TEST(NegativeSampling, AppendsNegativesWithTargetZero) {
  auto blocks = fitted_blocks(skewed(), false);
  auto t = recsys_test::registry().transform({{"name", "recsys.negative_sampling"}, {"n_negatives", 3}}, "t");
  EXPECT_FALSE(t->on_valid());
  t->setup(*blocks);
  adapt::Batch b = positives(4);
  adapt::Rng rng(3);
  t->apply(b, rng);
  ASSERT_EQ(b["x.user"].size(0), 16);
  EXPECT_TRUE(torch::equal(b["x.user"].narrow(0, 0, 4).view(-1), torch::arange(1, 5)));
  EXPECT_TRUE(torch::equal(b["x.user"].narrow(0, 4, 12).view(-1), torch::arange(1, 5).repeat_interleave(3)));
  EXPECT_EQ(b["y"].narrow(0, 0, 4).sum().item<float>(), 4.0f);
  EXPECT_EQ(b["y"].narrow(0, 4, 12).sum().item<float>(), 0.0f);
  // Negatives are training items: rows 1 (a) and 2 (b) of the vocabulary.
  EXPECT_TRUE(b["x.item"].narrow(0, 4, 12).ge(1).all().item<bool>());
  EXPECT_TRUE(b["x.item"].narrow(0, 4, 12).le(2).all().item<bool>());
}

TEST(NegativeSampling, PopularityFollowsCountToTheAlpha) {
  auto blocks = fitted_blocks(skewed(), false);
  for (const auto& [distribution, expected] :
       std::vector<std::pair<std::string, double>>{{"uniform", 0.5},
                                                   {"popularity", std::pow(90, 0.75) / (std::pow(90, 0.75) + std::pow(10, 0.75))}}) {
    auto t = recsys_test::registry().transform(
        {{"name", "recsys.negative_sampling"}, {"n_negatives", 10}, {"distribution", distribution}}, "t");
    t->setup(*blocks);
    adapt::Batch b = positives(2000);
    adapt::Rng rng(5);
    t->apply(b, rng);
    const double share_a = b["x.item"].narrow(0, 2000, 20000).eq(1).to(torch::kDouble).mean().item<double>();
    EXPECT_NEAR(share_a, expected, 0.015) << distribution;
  }
}

TEST(BiasBaseline, RecoversAnAdditiveModelAndFallsBackForUnseenIds) {
  // r = 3 + user effect + item effect on a full 3 x 3 grid, plus an unseen user in valid.
  adapt::Records r({"user", "item", "rating", "timestamp"}, "grid");
  const double ue[] = {-0.5, 0.0, 0.5}, ie[] = {-1.0, 0.25, 0.75};
  for (int u = 0; u < 3; ++u) {
    for (int i = 0; i < 3; ++i) r.add_row({"u" + std::to_string(u), "i" + std::to_string(i), std::to_string(3 + ue[u] + ie[i]), "0"});
  }
  r.add_row({"new user", "i2", "4", "0"});
  adapt::SplitIndices split{{0, 1, 2, 3, 4, 5, 6, 7, 8}, {9}, {}};
  auto blocks = fitted_blocks(r.subset(split.train));
  auto baseline = recsys_test::registry().baseline(
      {{"name", "recsys.biases"}, {"reg_user", 0.0}, {"reg_item", 0.0}, {"iterations", 20}}, "baselines[0]");
  adapt::BaselineContext ctx{r, split, *blocks};
  baseline->fit(ctx);
  torch::Tensor train = baseline->predict(ctx, split.train);
  for (size_t j = 0; j < 9; ++j) {
    EXPECT_NEAR(train[j][0].item<double>(), 3 + ue[j / 3] + ie[j % 3], 1e-5) << j;
  }
  // Unseen user: global mean + the item's bias; the mean of the grid is 3 + 0 + 0 = 3.
  EXPECT_NEAR(baseline->predict(ctx, {9})[0][0].item<double>(), 3 + ie[2], 1e-5);

  auto popular = recsys_test::registry().baseline({{"name", "recsys.most_popular"}}, "baselines[1]");
  popular->fit(ctx);
  EXPECT_NEAR(popular->predict(ctx, {9})[0][0].item<double>(), std::log1p(3.0), 1e-6);
}

}  // namespace
