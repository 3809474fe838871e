// recsys models: shapes, the cold-start fallback, sparse gradients, and the core AdamW's lazy
// sparse-row update (rows outside the batch are untouched).
#include <adapt/data/data_blocks.h>
#include <adapt/train/optimizer.h>
#include <torch/torch.h>

#include <numeric>

#include "ids_block.h"
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

// The report's "nearest items" (IdsBlock::show_learned): the training items ranked by the cosine of
// their learned vectors to the row's item; other models and other inputs add nothing.
TEST(RecsysModels, NearestItemsFollowTheLearnedItemVectors) {
  Fixture f;
  auto m = f.model({{"name", "recsys.dot_bias"}, {"n_factors", 3}});
  m->eval();
  const auto& ids = dynamic_cast<const adapt::recsys::IdsBlock&>(*f.blocks->inputs()[0].block);
  {
    torch::NoGradGuard no_grad;
    torch::Tensor w = param(*m, "item_factors.table0.weight");
    const std::vector<std::pair<std::string, std::vector<float>>> vectors = {
        {"i0", {1, 0, 0}}, {"i1", {0.9f, 0.1f, 0}}, {"i2", {-1, 0, 0}}, {"i3", {0.5f, 0.5f, 0}}, {"i4", {0, 0, 1}}};
    for (const auto& [item, v] : vectors) w[ids.items().encode(item)[0]] = torch::tensor(v);
  }
  std::vector<size_t> train(f.records.size());
  std::iota(train.begin(), train.end(), size_t{0});
  ASSERT_EQ(f.records.at(0, "item"), "i0");
  const std::string html = ids.show_learned(f.records, 0, "x", *m, train);
  const auto at = [&](const std::string& item) { return html.find("<code>" + item + "</code>"); };
  ASSERT_NE(at("i1"), std::string::npos) << html;
  EXPECT_LT(at("i1"), at("i3")) << html;
  EXPECT_LT(at("i3"), at("i4")) << html;
  EXPECT_LT(at("i4"), at("i2")) << html;
  EXPECT_EQ(at("i0"), std::string::npos) << "the item itself is not its own neighbour: " << html;
  EXPECT_NE(html.find("(0.99)"), std::string::npos) << html;
  EXPECT_NE(html.find("(-1.00)"), std::string::npos) << html;

  EXPECT_EQ(ids.show_learned(f.records, 0, "other", *m, train), "") << "another input's key";
  adapt::Records unseen = f.records;
  unseen.add_row({"u0", "new-item", "3", "0"});
  EXPECT_NE(ids.show_learned(unseen, unseen.size() - 1, "x", *m, train).find("not seen in training"), std::string::npos);
  for (const std::string name : {"recsys.ncf", "recsys.two_tower"}) {
    auto other = f.model({{"name", name}});
    other->eval();
    EXPECT_NE(ids.show_learned(f.records, 0, "x", *other, train).find("nearest items"), std::string::npos) << name;
  }
}

// Prediction with out-of-domain scores runs forward_and_embed, which dot-bias answers from its embedding
// (each id's rows gathered once): the same predictions as forward(), bit for bit, whatever the batch
// and factor count (a vectorised sum over a strided view could add in another order).
TEST(RecsysModels, DotBiasPredictsFromItsEmbeddingAsForwardDoes) {
  Fixture f;
  for (const int64_t n_factors : {50, 13}) {
    auto m = f.model({{"name", "recsys.dot_bias"}, {"n_factors", n_factors}, {"y_range", {0.0, 5.5}}});
    m->eval();
    torch::NoGradGuard no_grad;
    for (auto& p : m->parameters()) p.normal_(0, 0.5);
    for (const int64_t rows : {1, 7, 256, 3000}) {
      adapt::Batch batch = f.batch(f.records);
      batch["x.user"] = torch::randint(0, 7, {rows, 1}, torch::kLong);
      batch["x.item"] = torch::randint(0, 6, {rows, 1}, torch::kLong);
      const auto [outputs, features] = m->forward_and_embed(batch);
      EXPECT_TRUE(torch::equal(outputs, m->forward(batch))) << n_factors << " factors, " << rows << " rows";
      EXPECT_TRUE(torch::equal(features, m->embed(batch)));
    }
  }
}

// item_features (LightFM): a linear map of the item's content joins its factors and bias, so two rows
// of one item id with other genres score differently, and an item the ids never saw still gets its
// genres' share. Inputs without float features are refused by name.
TEST(RecsysModels, ItemFeaturesAddTheContentsShareToTheItem) {
  adapt::Records records{{"user", "item", "rating", "genres"}, "fixture"};
  for (int r = 0; r < 12; ++r)
    records.add_row({"u" + std::to_string(r % 3), "i" + std::to_string(r % 4), "3", r % 2 ? "Comedy|Drama" : "Horror"});
  auto& registry = recsys_test::registry();
  adapt::DataBlocks blocks({{"x", registry.block({{"name", "recsys.ids"}}, "inputs[0]")},
                            {"genres", registry.block({{"name", "core.multi_category"}, {"column", "genres"}, {"delimiter", "|"}}, "inputs[1]")}},
                           adapt::BoundBlock{"y", registry.block({{"name", "recsys.rating"}, {"min", 1}, {"max", 5}}, "target")});
  blocks.setup(records);
  const adapt::ModelContext ctx{blocks, 1};
  auto m = registry.model({{"name", "recsys.dot_bias"}, {"n_factors", 4}, {"item_features", {"genres"}}}, "model", ctx);
  m->eval();
  {
    torch::NoGradGuard no_grad;
    param(*m, "item_content.weight").normal_(0, 1);
  }
  std::vector<adapt::Sample> items;
  for (size_t r = 0; r < 2; ++r) items.push_back(blocks.encode(records, r, {adapt::Split::valid}, false));
  adapt::Batch batch = blocks.collate(items);
  torch::NoGradGuard no_grad;
  const torch::Tensor with_genres = m->forward(batch);
  batch["x.item"] = batch["x.item"][0].expand_as(batch["x.item"]).clone();  // one id, two genre sets
  batch["x.user"] = batch["x.user"][0].expand_as(batch["x.user"]).clone();
  const torch::Tensor one_id = m->forward(batch);
  EXPECT_GT((one_id[0] - one_id[1]).abs().item<float>(), 1e-4) << "the genres change the score";
  EXPECT_EQ(m->embed(batch).sum(1, true).sizes(), with_genres.sizes());
  EXPECT_TRUE(param(*m, "item_content.weight").requires_grad());
  EXPECT_THROW(dynamic_cast<adapt::recsys::FactorizedScorer&>(*m).item_side(batch["x.item"]), adapt::Error);

  try {
    registry.model({{"name", "recsys.dot_bias"}, {"item_features", {"x"}}}, "model", ctx);
    FAIL() << "ids are not float features";
  } catch (const adapt::OptionError& e) {
    EXPECT_NE(std::string(e.what()).find("item_features"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("core.multi_category"), std::string::npos) << e.what();
  }
}

}  // namespace
