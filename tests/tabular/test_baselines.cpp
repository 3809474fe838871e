// tabular.linear and tabular.xgboost on small known problems: fitted on train rows only, scored on
// held-out rows.
#include <torch/torch.h>

#include <cmath>

#include "adapt/baseline/baseline.h"
#include "adapt/data/data_blocks.h"
#include "tabular_test_util.h"

namespace adapt {
namespace {

using tabular_test::registry;

// label depends on a category (only linearly) and on x > 0.3 (a threshold trees find exactly).
Records table(int n, bool regression) {
  std::vector<std::string> color, x, label;
  for (int i = 0; i < n; ++i) {
    const int c = (i * 7) % 4;
    const double v = ((i * 53) % 97) / 48.5 - 1.0;
    color.push_back(c == 3 && i % 11 == 0 ? "" : std::string("c") + std::to_string(c));
    x.push_back(std::to_string(v));
    if (regression) label.push_back(std::to_string(2.0 * v + (c == 1 ? 3.0 : 0.0)));
    else label.push_back((c == 1) || (c != 2 && v > 0.3) ? "pos" : "neg");
  }
  return tabular_test::make_records({{"color", color}, {"x", x}, {"label", label}});
}

struct Fitted {
  Records records;
  SplitIndices split;
  std::shared_ptr<DataBlocks> blocks;
};

Fitted prepare(bool regression) {
  Fitted f{table(600, regression), {}, nullptr};
  for (size_t i = 0; i < f.records.size(); ++i) (i % 5 == 0 ? f.split.valid : f.split.train).push_back(i);
  auto x = registry().block({{"name", "tabular.table"}, {"cat_names", {"color"}}, {"cont_names", {"x"}}}, "inputs[0]");
  auto y = registry().block({{"name", regression ? "core.regression" : "core.category"}, {"column", "label"}}, "target");
  f.blocks = std::make_shared<DataBlocks>(std::vector<BoundBlock>{{"x", x}}, BoundBlock{"y", y});
  f.blocks->setup(f.records.subset(f.split.train));
  return f;
}

double accuracy(const torch::Tensor& log_probs, const Fitted& f) {
  int correct = 0;
  for (size_t i = 0; i < f.split.valid.size(); ++i) {
    const auto y = f.blocks->target().block->encode(f.records, f.split.valid[i], EncodeContext{Split::valid, nullptr});
    correct += log_probs[i].argmax().item<int64_t>() == y.at("").item<int64_t>();
  }
  return static_cast<double>(correct) / f.split.valid.size();
}

TEST(TabularBaselines, LogisticOnOneHot) {
  const Fitted f = prepare(false);
  auto baseline = registry().baseline({{"name", "tabular.linear"}}, "baselines[0]");
  BaselineContext ctx{f.records, f.split, *f.blocks};
  baseline->fit(ctx);
  const auto out = baseline->predict(ctx, f.split.valid);
  ASSERT_EQ(out.sizes(), (std::vector<int64_t>{static_cast<int64_t>(f.split.valid.size()), 2}));
  EXPECT_TRUE(torch::allclose(out.exp().sum(1), torch::ones({out.size(0)}), 1e-4, 1e-4));
  const double acc = accuracy(out, f);
  EXPECT_GT(acc, 0.80);  // linear in one-hot color and x, but not the exact threshold
  EXPECT_NE(baseline->description().find("logistic"), std::string::npos);
}

TEST(TabularBaselines, XGBoostFindsTheThreshold) {
  const Fitted f = prepare(false);
  auto baseline = registry().baseline({{"name", "tabular.xgboost"}, {"n_rounds", 50}}, "baselines[1]");
  BaselineContext ctx{f.records, f.split, *f.blocks};
  baseline->fit(ctx);
  const auto out = baseline->predict(ctx, f.split.valid);
  ASSERT_EQ(out.sizes(), (std::vector<int64_t>{static_cast<int64_t>(f.split.valid.size()), 2}));
  EXPECT_TRUE(torch::allclose(out.exp().sum(1), torch::ones({out.size(0)}), 1e-4, 1e-4));
  EXPECT_GT(accuracy(out, f), 0.97);
  EXPECT_NE(baseline->description().find("XGBoost"), std::string::npos);
}

TEST(TabularBaselines, RidgeAndXGBoostRegression) {
  const Fitted f = prepare(true);
  BaselineContext ctx{f.records, f.split, *f.blocks};
  for (const std::string name : {"tabular.linear", "tabular.xgboost"}) {
    auto baseline = registry().baseline({{"name", name}}, "baselines[0]");
    baseline->fit(ctx);
    const auto out = baseline->predict(ctx, f.split.valid);
    ASSERT_EQ(out.size(1), 1) << name;
    double se = 0;
    for (size_t i = 0; i < f.split.valid.size(); ++i) {
      const auto y = f.blocks->target().block->encode(f.records, f.split.valid[i], EncodeContext{Split::valid, nullptr});
      const double d = out[i][0].item<double>() - y.at("").item<double>();
      se += d * d;
    }
    // exact linear relation (ridge, standardised target units) / piecewise fit (trees)
    EXPECT_LT(std::sqrt(se / f.split.valid.size()), name == "tabular.linear" ? 0.1 : 0.2) << name;
  }
}

}  // namespace
}  // namespace adapt
