// tabular.model: fastai's TabularModel layout, shapes, y_range, and that it learns a small problem.
#include <torch/torch.h>

#include "adapt/data/data_blocks.h"
#include "adapt/model/model.h"
#include "tabular_test_util.h"

namespace adapt {
namespace {

using tabular_test::registry;

// 200 rows: label = (color == red) xor (x > 0), so both inputs matter.
Records xor_table() {
  std::vector<std::string> color, x, label;
  for (int i = 0; i < 200; ++i) {
    const bool red = i % 3 == 0;
    const double v = ((i * 37) % 101) / 50.0 - 1.0;
    color.push_back(red ? "red" : (i % 3 == 1 ? "blue" : "green"));
    x.push_back(std::to_string(v));
    label.push_back(red != (v > 0) ? "yes" : "no");
  }
  return tabular_test::make_records({{"color", color}, {"x", x}, {"label", label}});
}

std::shared_ptr<DataBlocks> fitted_blocks(const Records& records, const std::string& target = "core.category") {
  auto table = registry().block({{"name", "tabular.table"}, {"cat_names", {"color"}}, {"cont_names", {"x"}}}, "inputs[0]");
  auto y = registry().block({{"name", target}, {"column", "label"}}, "target");
  auto blocks = std::make_shared<DataBlocks>(std::vector<BoundBlock>{{"x", table}}, BoundBlock{"y", y});
  blocks->setup(records);
  return blocks;
}

Batch full_batch(const DataBlocks& blocks, const Records& records) {
  std::vector<Sample> items;
  for (size_t r = 0; r < records.size(); ++r) items.push_back(blocks.encode(records, r, EncodeContext{Split::valid, nullptr}));
  return blocks.collate(items);
}

TEST(TabularModel, LayoutFollowsFastai) {
  const Records records = xor_table();
  auto blocks = fitted_blocks(records);
  ModelContext ctx{*blocks, 2};
  auto model = registry().model({{"name", "tabular.model"}, {"layers", {8, 4}}, {"ps", {0.1}}}, "model", ctx);
  std::map<std::string, std::vector<int64_t>> shapes;
  for (const auto& p : model->named_parameters()) shapes[p.key()] = p.value().sizes().vec();
  EXPECT_EQ(shapes.at("embeds.0.weight"), (std::vector<int64_t>{4, 3}));  // 4 codes, width round(1.6*4^0.56)
  EXPECT_EQ(shapes.at("layers.0.weight"), (std::vector<int64_t>{8, 4}));  // 3 embedding + 1 continuous
  EXPECT_EQ(shapes.count("layers.0.bias"), 0u);                          // no bias before BatchNorm
  EXPECT_EQ(shapes.at("head.weight"), (std::vector<int64_t>{2, 4}));
  EXPECT_EQ(shapes.at("bn_cont.weight"), (std::vector<int64_t>{1}));
  EXPECT_EQ(model->layer_groups().size(), 2u);

  model->eval();
  const Batch batch = full_batch(*blocks, records);
  EXPECT_EQ(model->forward(batch).sizes(), (std::vector<int64_t>{200, 2}));
}

TEST(TabularModel, YRangeBoundsTheOutput) {
  const Records records = xor_table();
  auto blocks = fitted_blocks(records);
  ModelContext ctx{*blocks, 1};
  auto model = registry().model({{"name", "tabular.model"}, {"y_range", {-1.0, 2.0}}}, "model", ctx);
  Batch batch = full_batch(*blocks, records);
  batch.at("x.cont") = batch.at("x.cont") * 1000;  // push the pre-activation far out
  const auto out = model->forward(batch);
  EXPECT_GE(out.min().item<float>(), -1.0f);
  EXPECT_LE(out.max().item<float>(), 2.0f);
  tabular_test::expect_error<OptionError>(
      [&] { registry().model({{"name", "tabular.model"}, {"y_range", {2.0, 1.0}}}, "model", ctx); }, {"y_range"});
  tabular_test::expect_error<OptionError>(
      [&] { registry().model({{"name", "tabular.model"}, {"layers", {8, 4}}, {"ps", {0.1, 0.2, 0.3}}}, "model", ctx); },
      {"ps"});
}

TEST(TabularModel, LearnsAnInteraction) {
  torch::manual_seed(0);
  const Records records = xor_table();
  auto blocks = fitted_blocks(records);
  ModelContext ctx{*blocks, 2};
  auto model = registry().model({{"name", "tabular.model"}, {"layers", {32, 16}}}, "model", ctx);
  const Batch batch = full_batch(*blocks, records);
  const auto y = batch.at("y");
  torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(1e-2));
  model->train();
  for (int step = 0; step < 150; ++step) {
    optimizer.zero_grad();
    auto loss = torch::nn::functional::cross_entropy(model->forward(batch), y);
    loss.backward();
    optimizer.step();
  }
  model->eval();
  const double accuracy = (model->forward(batch).argmax(1) == y).to(torch::kFloat64).mean().item<double>();
  EXPECT_GT(accuracy, 0.95);
}

TEST(TabularModel, RefusesANonTableInput) {
  const Records records = xor_table();
  auto other = registry().block({{"name", "core.category"}, {"column", "color"}}, "inputs[0]");
  auto y = registry().block({{"name", "core.category"}, {"column", "label"}}, "target");
  DataBlocks blocks({{"x", other}}, {"y", y});
  blocks.setup(records);
  ModelContext ctx{blocks, 2};
  tabular_test::expect_error<OptionError>([&] { registry().model({{"name", "tabular.model"}}, "model", ctx); },
                                          {"tabular.table"});
}

}  // namespace
}  // namespace adapt
