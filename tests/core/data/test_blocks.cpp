// Core blocks (category, multi-category, regression) and DataBlocks: train-only state, clear errors,
// state round trips, collate and decode.
#include <gtest/gtest.h>

#include "components/core_components.h"
#include "adapt/data/category_block.h"
#include "adapt/data/data_blocks.h"
#include "adapt/data/multi_category_block.h"
#include "adapt/data/regression_block.h"
#include "adapt/plugin/registry.h"
#include "core/support/data_fixtures.h"

using namespace adapt;

namespace {

Records animals() {
  Records r({"animal", "tags", "weight", "height"}, "zoo.csv");
  r.add_row({"dog", "pet;loud", "30", "0.6"}, "zoo.csv:2");
  r.add_row({"cat", "pet", "4", "0.3"}, "zoo.csv:3");
  r.add_row({"dog", "", "25", "0.5"}, "zoo.csv:4");
  r.add_row({"bird", "loud; wild", "0.5", "0.1"}, "zoo.csv:5");
  r.add_row({"zebra", "wild;stripes", "300", "1.4"}, "zoo.csv:6");
  return r;
}

int64_t index_at(const Block& b, const Records& r, size_t row) {
  return b.encode(r, row, EncodeContext{Split::valid, nullptr}).at("").item<int64_t>();
}

}  // namespace

TEST(CategoryBlock, VocabularyFromTrainOnlySorted) {
  Records all = animals();
  Records train = all.subset({0, 1, 2, 3});  // no zebra
  CategoryBlock block(CategoryBlockOptions("animal"));
  block.setup(train);
  EXPECT_EQ(block.classes(), (std::vector<std::string>{"bird", "cat", "dog"}));
  EXPECT_EQ(block.n_outputs(), 3);
  EXPECT_EQ(block.loss(), "cross_entropy");
  EXPECT_EQ(block.dims()["n_classes"], 3);
  EXPECT_EQ(index_at(block, all, 0), 2);
  EXPECT_EQ(index_at(block, all, 3), 0);
  EXPECT_THROW_WITH(index_at(block, all, 4), DataError, "\"zebra\"", "zoo.csv:6", "\"animal\"", "unseen");
}

TEST(CategoryBlock, UnknownModeAndNumericSort) {
  Records all = animals();
  CategoryBlock block(CategoryBlockOptions("animal").unseen("unknown"));
  block.setup(all.subset({0, 1}));
  EXPECT_EQ(block.classes(), (std::vector<std::string>{"#na#", "cat", "dog"}));
  EXPECT_EQ(index_at(block, all, 4), 0);

  Records digits({"d"}, "digits");
  for (const char* d : {"10", "2", "1", "-3", "2"}) digits.add_row({d});
  CategoryBlock numbers(CategoryBlockOptions("d"));
  numbers.setup(digits);
  EXPECT_EQ(numbers.classes(), (std::vector<std::string>{"-3", "1", "2", "10"}));

  Records with_empty({"d"}, "e.csv");
  with_empty.add_row({""}, "e.csv:2");
  EXPECT_THROW_WITH(CategoryBlock(CategoryBlockOptions("d")).setup(with_empty), DataError, "e.csv:2", "empty");
}

TEST(CategoryBlock, StateRoundTripAndDecode) {
  CategoryBlock block(CategoryBlockOptions("animal"));
  block.setup(animals());
  CategoryBlock loaded(CategoryBlockOptions("animal"));
  loaded.load_state(json::parse(block.state().dump()));
  EXPECT_EQ(loaded.classes(), block.classes());
  for (size_t i = 0; i < 5; ++i) EXPECT_EQ(index_at(loaded, animals(), i), index_at(block, animals(), i));

  // Logits favouring "dog": softmax([0, 0, ln 2, 0]) gives dog 2/5.
  json d = loaded.decode(torch::tensor({0.0, 0.0, std::log(2.0), 0.0}));
  EXPECT_EQ(d["label"], "dog");
  EXPECT_NEAR(d["probabilities"]["dog"].get<double>(), 0.4, 1e-9);
  EXPECT_NEAR(d["probabilities"]["cat"].get<double>(), 0.2, 1e-9);
  EXPECT_THROW_WITH(loaded.decode(torch::zeros({3})), Error, "3 outputs", "4 classes");
  // A batch decodes row by row to the same predictions, in float32 and in double.
  const auto logits = torch::tensor({0.0, 0.0, std::log(2.0), 0.0, 3.0, 0.0, 0.0, 0.0}).reshape({2, 4});
  for (const auto& batch : {logits, logits.to(torch::kFloat)}) {
    const std::vector<json> rows = loaded.decode_batch(batch);
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0], loaded.decode(batch[0]));
    EXPECT_EQ(rows[1], loaded.decode(batch[1]));
  }
  EXPECT_EQ(loaded.decode_batch(logits)[0], d);
  EXPECT_THROW_WITH(loaded.decode_batch(torch::zeros({2, 3})), Error, "3 outputs", "4 classes");
  EXPECT_THROW(loaded.load_state(json{{"vocab", {"a", "a"}}}), DataError);
  EXPECT_THROW(loaded.load_state(json::object()), DataError);
  EXPECT_THROW_WITH(CategoryBlock(CategoryBlockOptions("animal")).encode(animals(), 0, {}), Error, "setup");
}

TEST(MultiCategoryBlock, MultiHotFromTrainVocabulary) {
  Records all = animals();
  MultiCategoryBlock block(MultiCategoryBlockOptions("tags"));
  block.setup(all.subset({0, 1, 2, 3}));
  EXPECT_EQ(block.classes(), (std::vector<std::string>{"loud", "pet", "wild"}));
  EXPECT_EQ(block.loss(), "bce_with_logits");
  EXPECT_EQ(block.dims()["n_features"], 3);  // as an input: the multi-hot vector's width
  auto hot = block.encode(all, 3, {}).at("");
  EXPECT_TRUE(torch::equal(hot, torch::tensor({1.0f, 0.0f, 1.0f})));
  EXPECT_TRUE(torch::equal(block.encode(all, 2, {}).at(""), torch::zeros({3})));
  EXPECT_THROW_WITH(block.encode(all, 4, {}), DataError, "zoo.csv:6", "\"stripes\"");

  MultiCategoryBlock loaded(MultiCategoryBlockOptions("tags"));
  loaded.load_state(block.state());
  json d = loaded.decode(torch::tensor({2.0, -2.0, 0.0}));  // sigmoid: 0.88, 0.12, 0.5
  EXPECT_EQ(d["labels"], json({"loud", "wild"}));
  EXPECT_EQ(d["label"], "loud;wild");
  EXPECT_NEAR(d["probabilities"]["pet"].get<double>(), 1.0 / (1.0 + std::exp(2.0)), 1e-9);

  MultiCategoryBlock lenient(MultiCategoryBlockOptions("tags").unseen("ignore"));
  lenient.setup(all.subset({0, 1}));
  EXPECT_TRUE(torch::equal(lenient.encode(all, 4, {}).at(""), torch::zeros({2})));
}

TEST(RegressionBlock, ParsesNormalizesAndDecodes) {
  Records all = animals();
  RegressionBlock raw(RegressionBlockOptions({"weight", "height"}));
  raw.setup(all);
  EXPECT_TRUE(torch::allclose(raw.encode(all, 1, {}).at(""), torch::tensor({4.0f, 0.3f})));
  EXPECT_EQ(raw.n_outputs(), 2);
  EXPECT_EQ(raw.loss(), "mse");

  // Train rows weigh 30, 4, 25: mean 59/3, sample std sqrt(((30-m)^2+(4-m)^2+(25-m)^2)/2).
  RegressionBlock norm(RegressionBlockOptions({"weight"}).normalize(true).y_range(std::make_pair(0.0, 100.0)));
  norm.setup(all.subset({0, 1, 2}));
  const double m = 59.0 / 3.0;
  const double s = std::sqrt(((30 - m) * (30 - m) + (4 - m) * (4 - m) + (25 - m) * (25 - m)) / 2.0);
  EXPECT_NEAR(norm.mean()[0], m, 1e-12);
  EXPECT_NEAR(norm.stddev()[0], s, 1e-12);
  EXPECT_NEAR(norm.encode(all, 4, {}).at("").item<float>(), (300 - m) / s, 1e-4);
  EXPECT_NEAR(norm.dims()["y_range"][1].get<double>(), (100 - m) / s, 1e-9);
  EXPECT_NEAR(norm.decode(torch::tensor({1.0})).at("value").get<double>(), m + s, 1e-9);

  RegressionBlock loaded(RegressionBlockOptions({"weight"}).normalize(true));
  loaded.load_state(json::parse(norm.state().dump()));
  EXPECT_NEAR(loaded.decode(torch::tensor({1.0})).at("value").get<double>(), m + s, 1e-9);
  const std::vector<json> batch = loaded.decode_batch(torch::tensor({1.0f, -2.0f}).reshape({2, 1}));
  ASSERT_EQ(batch.size(), 2u);
  EXPECT_NEAR(batch[0].at("value").get<double>(), m + s, 1e-6);
  EXPECT_NEAR(batch[1].at("value").get<double>(), m - 2 * s, 1e-6);
  EXPECT_EQ(batch[1], loaded.decode(torch::tensor({-2.0f})));
}

TEST(RegressionBlock, BadNumbersNameOriginColumnAndValue) {
  Records r({"y"}, "n.csv");
  r.add_row({"1.5"}, "n.csv:2");
  r.add_row({"abc"}, "n.csv:3");
  r.add_row({""}, "n.csv:4");
  r.add_row({"nan"}, "n.csv:5");
  RegressionBlock block(RegressionBlockOptions({"y"}));
  EXPECT_THROW_WITH(block.setup(r), DataError, "n.csv:3", "\"y\"", "\"abc\"");
  EXPECT_THROW_WITH(block.encode(r, 2, {}), DataError, "n.csv:4", "missing");
  EXPECT_THROW_WITH(block.encode(r, 3, {}), DataError, "n.csv:5", "\"nan\"");
  // Finite as a double, infinite as the float32 a model computes in: refused, not a null prediction.
  r.add_row({"4e38"}, "n.csv:6");
  block.setup(r.subset({0}));
  EXPECT_THROW_WITH(block.encode(r, 4, {}), DataError, "n.csv:6", "\"4e38\"", "float32");
  RegressionBlock filled(RegressionBlockOptions({"y"}).missing("mean"));
  filled.setup(r.subset({0, 2}));
  EXPECT_FLOAT_EQ(filled.encode(r, 2, {}).at("").item<float>(), 1.5f);
}

TEST(RegressionBlock, RegistryAcceptsColumnOrColumns) {
  Registry registry;
  register_core_data(registry);
  auto one = registry.block({{"name", "core.regression"}, {"column", "weight"}}, "target");
  EXPECT_EQ(one->columns(), (std::vector<std::string>{"weight"}));
  EXPECT_THROW_WITH(registry.block({{"name", "core.regression"}}, "target"), OptionError, "target.columns");
  EXPECT_THROW_WITH(registry.block({{"name", "core.regression"}, {"column", "w"}, {"y_range", {3, 1}}}, "target"),
                    OptionError, "target.y_range");
  EXPECT_THROW_WITH(registry.block({{"name", "core.category"}, {"column", "a"}, {"unseen", "skip"}}, "target"),
                    OptionError, "target.unseen");
}

TEST(DataBlocks, KeysCollateStateAndDescribe) {
  Records all = animals();
  auto inputs = std::vector<BoundBlock>{
      {"x", std::make_shared<RegressionBlock>(RegressionBlockOptions({"weight", "height"}))},
      {"x1", std::make_shared<adapt::testing::TokensBlock>("weight")}};
  DataBlocks blocks(inputs, {"y", std::make_shared<CategoryBlock>(CategoryBlockOptions("animal"))});
  blocks.setup(all);
  EXPECT_EQ(blocks.input_columns(), (std::vector<std::string>{"weight", "height"}));
  EXPECT_EQ(blocks.length(all, 0), 1);  // the first sequence input

  std::vector<Sample> items;
  for (size_t i = 0; i < 3; ++i) items.push_back(blocks.encode(all, i, {}));
  EXPECT_TRUE(items[0].count("x") && items[0].count("x1") && items[0].count("y"));
  items[0]["extra"] = torch::tensor(1.0f);
  items[1]["extra"] = torch::tensor(2.0f);
  items[2]["extra"] = torch::tensor(3.0f);
  Batch batch = blocks.collate(items);
  EXPECT_EQ(batch.at("x").sizes(), (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(batch.at("x1.mask").sizes(), (std::vector<int64_t>{3, 1}));  // the block's own collate
  EXPECT_TRUE(torch::equal(batch.at("y"), torch::tensor({2, 1, 2}, torch::kInt64)));
  EXPECT_TRUE(torch::equal(batch.at("extra"), torch::tensor({1.0f, 2.0f, 3.0f})));

  Sample without_target = blocks.encode(all, 0, {}, false);
  EXPECT_EQ(without_target.count("y"), 0u);

  DataBlocks other({{"x", std::make_shared<RegressionBlock>(RegressionBlockOptions({"weight", "height"}))},
                    {"x1", std::make_shared<adapt::testing::TokensBlock>("weight")}},
                   {"y", std::make_shared<CategoryBlock>(CategoryBlockOptions("animal"))});
  other.load_state(json::parse(blocks.state().dump()));
  EXPECT_EQ(other.target().block->classes(), blocks.target().block->classes());
  json missing_x1 = blocks.state();
  missing_x1.erase("x1");
  EXPECT_THROW_WITH(other.load_state(missing_x1), DataError, "\"x1\"");

  EXPECT_EQ(inputs[0].block->describe(all, 1), "weight=4, height=0.3");
  EXPECT_EQ(blocks.target().block->describe(all, 1), "cat");
  EXPECT_THROW_WITH(blocks.input("z"), Error, "\"z\"", "\"x\", \"x1\"");
  EXPECT_THROW_WITH(DataBlocks({{"x", inputs[0].block}, {"x", inputs[1].block}}, {}), OptionError, "twice");
}

TEST(Block, DefaultCollateStacksAndNamesShapeMismatch) {
  RegressionBlock block(RegressionBlockOptions({"a"}));
  std::vector<TensorDict> items = {{{"", torch::zeros({2})}}, {{"", torch::zeros({3})}}};
  EXPECT_THROW_WITH(block.collate(items), Error, "item 1", "[3]", "[2]", "pad");
  std::vector<TensorDict> fine = {{{"", torch::ones({2})}}, {{"", torch::zeros({2})}}};
  EXPECT_EQ(block.collate(fine).at("").sizes(), (std::vector<int64_t>{2, 2}));
  EXPECT_THROW_WITH(block.collate({}), Error, "no items");
}
