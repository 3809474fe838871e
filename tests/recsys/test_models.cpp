// recsys models: shapes, the cold-start fallback, sparse gradients, and the core AdamW's lazy
// sparse-row update (rows outside the batch are untouched).
#include <adapt/data/data_blocks.h>
#include <adapt/train/optimizer.h>
#include <torch/torch.h>

#include "models.h"
#include "recsys_test_util.h"

using adapt::json;

namespace {

struct Fixture {
  adapt::Records records{{"user", "item", "rating", "timestamp"}, "fixture"};
  std::shared_ptr<adapt::DataBlocks> blocks;
  explicit Fixture(json ids_options = json::object()) {
    for (int u = 0; u < 6; ++u) {
      for (int i = 0; i < 5; ++i) {
        if ((u + i) % 2 == 0) records.add_row({"u" + std::to_string(u), "i" + std::to_string(i), std::to_string(1 + (u + i) % 5), "0"});
      }
    }
    ids_options["name"] = "recsys.ids";
    auto& r = recsys_test::registry();
    blocks = std::make_shared<adapt::DataBlocks>(
        std::vector<adapt::BoundBlock>{{"x", r.block(ids_options, "inputs[0]")}},
        adapt::BoundBlock{"y", r.block({{"name", "recsys.rating"}, {"min", 1}, {"max", 5}}, "target")});
    blocks->setup(records);
  }
  std::shared_ptr<adapt::Model> model(json spec) const {
    return recsys_test::registry().model(spec, "model", adapt::ModelContext{*blocks, 1});
  }
  adapt::Batch batch(const adapt::Records& r) const {
    std::vector<adapt::Sample> items;
    for (size_t i = 0; i < r.size(); ++i) items.push_back(blocks->encode(r, i, {adapt::Split::valid}, false));
    return blocks->collate(items);
  }
};

torch::Tensor param(adapt::Model& m, const std::string& name) { return m.named_parameters()[name]; }

TEST(RecsysModels, EveryModelMapsABatchToOneScorePerRow) {
  Fixture f;
  adapt::Batch b = f.batch(f.records);
  for (const std::string name : {"recsys.dot_bias", "recsys.ncf", "recsys.two_tower"}) {
    auto m = f.model({{"name", name}, {"y_range", {0.0, 5.5}}});
    torch::Tensor out = m->forward(b);
    EXPECT_EQ(out.sizes(), (std::vector<int64_t>{static_cast<int64_t>(f.records.size()), 1})) << name;
    EXPECT_TRUE(out.gt(0).all().item<bool>() && out.lt(5.5).all().item<bool>()) << name;
  }
}

TEST(RecsysModels, UnseenUserFallsBackToTheItemBias) {
  Fixture f;
  auto m = f.model({{"name", "recsys.dot_bias"}, {"n_factors", 4}, {"y_range", {0.0, 5.5}}});
  {
    torch::NoGradGuard no_grad;
    param(*m, "item_bias.table0.weight").fill_(0.7);
    param(*m, "item_factors.table0.weight").fill_(0.3);
  }
  adapt::Records probe({"user", "item"}, "probe");
  probe.add_row({"nobody", "i1"});
  probe.add_row({"u1", "unknown item"});
  torch::Tensor out = m->forward(f.batch(probe));
  EXPECT_NEAR(out[0][0].item<double>(), 5.5 / (1 + std::exp(-0.7)), 1e-6);  // dot 0, user bias 0
  EXPECT_TRUE(std::isfinite(out[1][0].item<double>()));
}

TEST(RecsysModels, SparseGradientsAndLazyAdamWTouchOnlyBatchRows) {
  Fixture f;
  auto m = f.model({{"name", "recsys.dot_bias"}, {"n_factors", 8}});
  adapt::Records two({"user", "item"}, "two");
  two.add_row({"u0", "i0"});
  two.add_row({"u2", "i2"});
  adapt::Batch b = f.batch(two);
  torch::Tensor weight = param(*m, "item_factors.table0.weight");
  torch::Tensor before = weight.detach().clone();
  adapt::HyperParams hp;
  hp.lr = 0.1;
  hp.wd = 0.1;
  adapt::AdamW opt(adapt::split_no_decay({m->parameters()}, hp));
  m->forward(b).sum().backward();
  ASSERT_TRUE(weight.grad().is_sparse());
  opt.step();
  const int64_t i0 = b.at("x.item")[0][0].item<int64_t>(), i2 = b.at("x.item")[1][0].item<int64_t>();
  for (int64_t row = 0; row < weight.size(0); ++row) {
    const bool touched = row == i0 || row == i2;
    EXPECT_EQ(!torch::equal(weight[row], before[row]), touched) << "row " << row;
  }
}

TEST(RecsysModels, FactorizedScoresEqualForward) {
  for (const std::string name : {"dot_bias", "two_tower"}) {
    Fixture f({{"item_mode", "hash"}, {"buckets", 64}});
    adapt::Options options(name == "dot_bias" ? adapt::recsys::DotBiasModel::schema()
                                              : adapt::recsys::TwoTowerModel::schema(),
                           {{"y_range", {0.0, 5.5}}, {"init_std", 0.5}}, "model");
    adapt::ModelContext ctx{*f.blocks, 1};
    std::shared_ptr<adapt::Model> m;
    adapt::recsys::FactorizedScorer* scorer;
    if (name == "dot_bias") {
      auto d = std::make_shared<adapt::recsys::DotBiasModel>(options, ctx);
      scorer = d.get();
      m = d;
    } else {
      auto t = std::make_shared<adapt::recsys::TwoTowerModel>(options, ctx);
      scorer = t.get();
      m = t;
    }
    m->eval();
    adapt::Batch b = f.batch(f.records);
    torch::Tensor users = b.at("x.user"), items = b.at("x.item");
    torch::Tensor all = scorer->score(scorer->user_side(users), scorer->item_side(items));  // [n, n]
    torch::Tensor pairwise = m->forward(b).view({-1});
    EXPECT_TRUE(torch::allclose(all.diagonal(), pairwise, 1e-5, 1e-6)) << name;
  }
}

}  // namespace
