// The stacked (late-fusion) baseline: members see only their inputs, the stacker learns from
// out-of-fold predictions only, and stacking two half-informed members beats each of them.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <set>

#include "adapt/baseline/core_baselines.h"
#include "adapt/baseline/stacked_baseline.h"
#include "adapt/data/data_blocks.h"
#include "adapt/plugin/registry.h"

// A named namespace: the sanitizer build compiles the core tests as unity sources, beside
// test_linear_model.cpp's own Fixture.
namespace stacked_baseline_test {

// label = (a + b > 0): a alone or b alone is right about 3 times in 4.
adapt::Records additive(int n) {
  adapt::Records records({"a", "b", "label"}, "additive.csv");
  torch::manual_seed(11);
  auto x = torch::randn({n, 2}, torch::kDouble);
  for (int i = 0; i < n; ++i) {
    const double a = x[i][0].item<double>(), b = x[i][1].item<double>();
    records.add_row({std::to_string(a), std::to_string(b), a + b > 0 ? "yes" : "no"}, "additive.csv:" + std::to_string(i + 2));
  }
  return records;
}

struct StackFixture {
  adapt::Registry registry;
  adapt::Records records = additive(600);
  adapt::SplitIndices split;
  std::unique_ptr<adapt::DataBlocks> blocks;

  StackFixture() {
    adapt::register_core_components(registry);
    for (size_t i = 0; i < records.size(); ++i) (i % 4 == 0 ? split.valid : split.train).push_back(i);
    auto column = [&](const char* c) { return registry.block({{"name", "core.regression"}, {"columns", {c}}}, "inputs"); };
    blocks = std::make_unique<adapt::DataBlocks>(
        std::vector<adapt::BoundBlock>{{"xa", column("a")}, {"xb", column("b")}},
        adapt::BoundBlock{"y", registry.block({{"name", "core.category"}, {"column", "label"}}, "target")});
    blocks->setup(records.subset(split.train));
  }
  adapt::BaselineContext ctx() const { return {records, split, *blocks}; }
  adapt::StackedMember logistic(const std::string& key) {
    return {key, {key}, [this] { return registry.baseline({{"name", "core.logistic"}}, "member"); }};
  }
  double accuracy(const adapt::Baseline& b) const {
    auto y = adapt::baseline_targets(ctx(), split.valid).reshape({-1});
    return b.predict(ctx(), split.valid).argmax(1).eq(y).to(torch::kDouble).mean().item<double>();
  }
};

TEST(StackedBaseline, BeatsEachMemberWhenTheyKnowDifferentHalves) {
  StackFixture f;
  adapt::StackedBaseline stacked({f.logistic("xa"), f.logistic("xb")});
  stacked.fit(f.ctx());
  // Each member alone, fitted on the same training rows through its own inputs.
  double best_member = 0;
  for (const char* key : {"xa", "xb"}) {
    adapt::DataBlocks only({*std::find_if(f.blocks->inputs().begin(), f.blocks->inputs().end(),
                                          [&](const adapt::BoundBlock& b) { return b.key == key; })},
                           f.blocks->target());
    adapt::LogisticBaseline alone;
    alone.fit({f.records, f.split, only});
    auto y = adapt::baseline_targets(f.ctx(), f.split.valid).reshape({-1});
    best_member = std::max(best_member, alone.predict({f.records, f.split, only}, f.split.valid)
                                            .argmax(1).eq(y).to(torch::kDouble).mean().item<double>());
  }
  EXPECT_LT(best_member, 0.85);
  EXPECT_GT(f.accuracy(stacked), best_member + 0.08);
  EXPECT_NE(stacked.description().find("5-fold"), std::string::npos) << stacked.description();
}

// Records every fit's training rows and every prediction's rows.
struct Spy : adapt::Baseline {
  std::vector<std::vector<size_t>>* fits;
  std::vector<std::vector<size_t>>* predictions;
  Spy(std::vector<std::vector<size_t>>* f, std::vector<std::vector<size_t>>* p) : fits(f), predictions(p) {}
  std::string description() const override { return "spy"; }
  void fit(const adapt::BaselineContext& ctx) override {
    EXPECT_EQ(ctx.blocks.inputs().size(), 1u);  // only its own input
    fits->push_back(ctx.split.train);
  }
  torch::Tensor predict(const adapt::BaselineContext&, const std::vector<size_t>& rows) const override {
    predictions->push_back(rows);
    return torch::full({static_cast<int64_t>(rows.size()), 2}, std::log(0.5));
  }
};

TEST(StackedBaseline, TheStackerSeesOnlyOutOfFoldPredictions) {
  StackFixture f;
  std::vector<std::vector<size_t>> fits, predictions;
  auto spy = [&](const std::string& key) {
    return adapt::StackedMember{key, {key}, [&] { return std::make_shared<Spy>(&fits, &predictions); }};
  };
  adapt::StackedOptions options;
  options.folds = 3;
  adapt::StackedBaseline stacked({spy("xa"), spy("xb")}, options);
  stacked.fit(f.ctx());
  ASSERT_EQ(fits.size(), 2u * 3 + 2);  // each member per fold, then on the whole training split
  std::multiset<size_t> predicted;
  for (size_t k = 0; k < 3; ++k) {
    const auto& fitted = fits[2 * k];
    const std::set<size_t> seen(fitted.begin(), fitted.end());
    for (size_t row : predictions[2 * k]) {
      EXPECT_FALSE(seen.count(row)) << "row " << row << " scored by a member fitted on it";
      predicted.insert(row);
    }
    EXPECT_EQ(fitted.size() + predictions[2 * k].size(), f.split.train.size());
  }
  EXPECT_EQ(predicted, std::multiset<size_t>(f.split.train.begin(), f.split.train.end()));  // each row once
  EXPECT_EQ(fits[6], f.split.train);
  EXPECT_EQ(fits[7], f.split.train);
}

TEST(StackedBaseline, ClearErrors) {
  StackFixture f;
  EXPECT_THROW(adapt::StackedBaseline({f.logistic("xa")}), adapt::OptionError);
  adapt::StackedBaseline missing({f.logistic("xa"), f.logistic("text")});
  try {
    missing.fit(f.ctx());
    FAIL() << "an input the recipe lacks was accepted";
  } catch (const adapt::Error& e) {
    EXPECT_NE(std::string(e.what()).find("\"text\""), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("xa, xb"), std::string::npos) << e.what();
  }
  adapt::StackedOptions many;
  many.folds = 400;
  adapt::StackedBaseline too_many({f.logistic("xa"), f.logistic("xb")}, many);
  EXPECT_THROW(too_many.fit(f.ctx()), adapt::Error);
}

}  // namespace stacked_baseline_test
