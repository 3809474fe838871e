// Linear models against scikit-learn's optimum and closed forms; the core baselines end to end.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "adapt/baseline/core_baselines.h"
#include "adapt/baseline/linear_model.h"
#include "adapt/data/data_blocks.h"
#include "adapt/plugin/registry.h"

namespace {

torch::Tensor small_x() {
  return torch::tensor({0.0, 1.0, 1.0, 0.5, 2.0, 2.5, 0.5, -1.0, 3.0, 1.0, 2.5, 3.0,
                        -1.0, 0.0, 1.5, 2.0, 4.0, 0.5, 0.2, 2.2, 3.5, 2.8, -0.5, 1.5},
                       torch::kDouble)
      .view({12, 2});
}
torch::Tensor small_y() { return torch::tensor({0, 0, 1, 0, 2, 1, 0, 1, 2, 1, 2, 0}, torch::kLong); }

TEST(StandardizerTest, ConstantColumnsMapToZero) {
  adapt::Standardizer s;
  s.fit(torch::tensor({{1.0, 5.0}, {3.0, 5.0}}));
  auto z = s.transform(torch::tensor({{2.0, 5.0}, {3.0, 7.0}}));
  EXPECT_TRUE(torch::allclose(z, torch::tensor({{0.0, 0.0}, {1.0, 2.0}}, torch::kDouble)));
  EXPECT_THROW(s.transform(torch::ones({2, 3})), adapt::Error);
}

TEST(LogisticRegressionTest, ReachesTheKnownOptimum) {
  // The optimum of mean cross-entropy + l2/2 ||W||^2 on the standardised features, found with
  // scipy BFGS (analytic gradient, max |grad| 1e-10): probabilities of rows 0, 4 and 9. (scikit-learn's LogisticRegression
  // with C = 1 / (l2 n) agrees to 5e-6, its lbfgs stopping earlier.)
  adapt::LogisticRegressionOptions o;
  o.l2 = 0.1;
  o.tolerance = 1e-10;
  adapt::LogisticRegression model(o);
  model.fit(small_x(), small_y());
  auto p = model.predict_log_proba(small_x().index_select(0, torch::tensor({0, 4, 9}))).exp();
  auto expected = torch::tensor({{0.7308790736664, 0.2134880173879, 0.0556329089457},
                                 {0.1811201297357, 0.200171665486, 0.6187082047783},
                                 {0.3414407225793, 0.5934688360726, 0.0650904413481}},
                                torch::kDouble);
  EXPECT_TRUE(torch::allclose(p, expected, 0, 1e-8)) << p - expected;
  // Optimality (KKT): the gradient of the objective vanishes at the solution.
  auto w = model.weight().clone().requires_grad_(true), b = model.intercept().clone().requires_grad_(true);
  auto z = (small_x() - small_x().mean(0)) / small_x().std(0, false);
  auto loss = torch::nn::functional::cross_entropy(torch::addmm(b, z, w), small_y()) + 0.05 * w.pow(2).sum();
  loss.backward();
  EXPECT_LT(w.grad().abs().max().item<double>(), 1e-6);
  EXPECT_LT(b.grad().abs().max().item<double>(), 1e-6);
  // Deterministic.
  adapt::LogisticRegression again(o);
  again.fit(small_x(), small_y());
  EXPECT_TRUE(torch::equal(again.weight(), model.weight()));
}

TEST(LogisticRegressionTest, TwoClassesReachTheMultinomialOptimumInFewNewtonSteps) {
  // Two classes take Newton's method on the logit difference; the weights it gives back must be the
  // optimum of the same multinomial objective (KKT: the full gradient vanishes), in a few dozen
  // evaluations (L-BFGS takes hundreds at this tolerance).
  torch::manual_seed(11);
  auto x = torch::randn({400, 5}, torch::kDouble);
  auto score = x.select(1, 0) - 0.7 * x.select(1, 2) + 0.5 * torch::randn({400}, torch::kDouble);
  auto y = score.gt(0.3).to(torch::kLong);
  for (double l2 : {1e-1, 1e-3}) {
    adapt::LogisticRegressionOptions o;
    o.l2 = l2;
    o.tolerance = 1e-10;
    adapt::LogisticRegression model(o);
    model.fit(x, y);
    EXPECT_LT(model.iterations(), 40) << l2;
    auto w = model.weight().clone().requires_grad_(true), b = model.intercept().clone().requires_grad_(true);
    auto z = (x - x.mean(0)) / x.std(0, false);
    auto loss = torch::nn::functional::cross_entropy(torch::addmm(b, z, w), y) + 0.5 * l2 * w.pow(2).sum();
    loss.backward();
    EXPECT_LT(w.grad().abs().max().item<double>(), 1e-8) << l2;
    EXPECT_LT(b.grad().abs().max().item<double>(), 1e-8) << l2;
    EXPECT_GE(model.predict(x).eq(y).to(torch::kDouble).mean().item<double>(), 0.8) << l2;
  }
}

TEST(LogisticRegressionTest, SeparableDataAndAbsentClasses) {
  torch::manual_seed(4);
  auto x = torch::randn({200, 3}, torch::kDouble);
  auto y = (x.select(1, 0) + 0.5 * x.select(1, 1)).gt(0).to(torch::kLong);  // classes 0/1 of 3
  adapt::LogisticRegression model;
  model.fit(x, y, 3);
  EXPECT_EQ(model.n_classes(), 3);
  EXPECT_GE(model.predict(x).eq(y).to(torch::kDouble).mean().item<double>(), 0.98);
  auto logp = model.predict_log_proba(x);
  EXPECT_TRUE(torch::allclose(logp.exp().sum(1), torch::ones({200}, torch::kDouble)));
  EXPECT_LT(logp.select(1, 2).max().item<double>(), -18.0);  // never seen: ~1e-9
  EXPECT_TRUE(torch::isfinite(logp).all().item<bool>());
  // State round trip.
  adapt::LogisticRegression loaded;
  loaded.load_state(model.state());
  EXPECT_TRUE(torch::allclose(loaded.predict_log_proba(x), logp));
}

TEST(LogisticRegressionTest, BadInputsNameTheProblem) {
  adapt::LogisticRegression model;
  auto x = small_x().clone();
  x[3][1] = std::nan("");
  try {
    model.fit(x, small_y());
    FAIL();
  } catch (const adapt::Error& e) {
    EXPECT_NE(std::string(e.what()).find("feature 1 of row 3"), std::string::npos) << e.what();
  }
  EXPECT_THROW(model.fit(small_x(), small_y(), 2), adapt::Error);  // label 2 out of range
  EXPECT_THROW(model.fit(small_x(), small_y().slice(0, 0, 5)), adapt::Error);
  EXPECT_THROW(model.predict(small_x()), adapt::Error);  // not fitted
}

TEST(RidgeRegressionTest, ClosedFormMatchesScikitLearn) {
  auto x = small_x();
  auto y = x.select(1, 0) * 2 - x.select(1, 1) * 3 + 5 + torch::arange(12, torch::kDouble).sin();
  adapt::RidgeRegressionOptions o;
  o.alpha = 2.0;
  adapt::RidgeRegression ridge(o);
  ridge.fit(x, y);
  // scikit-learn Ridge(alpha=2) on the standardised features.
  EXPECT_NEAR(ridge.weight()[0][0].item<double>(), 2.564658865862, 1e-9);
  EXPECT_NEAR(ridge.weight()[1][0].item<double>(), -2.953557024796, 1e-9);
  EXPECT_NEAR(ridge.intercept()[0].item<double>(), 3.8175998470556087, 1e-9);
  auto pred = ridge.predict(x.index_select(0, torch::tensor({0, 5})));
  EXPECT_NEAR(pred[0][0].item<double>(), 2.367154400482, 1e-9);
  EXPECT_NEAR(pred[1][0].item<double>(), 1.426891704532, 1e-9);
  // alpha 0 recovers an exact linear relation; more features than rows uses the dual form.
  adapt::RidgeRegressionOptions exact;
  exact.alpha = 0.0;
  adapt::RidgeRegression ols(exact);
  auto y_exact = x.select(1, 0) * 2 - x.select(1, 1) * 3 + 5;
  ols.fit(x, y_exact);
  EXPECT_TRUE(torch::allclose(ols.predict(x).squeeze(1), y_exact, 1e-9, 1e-9));
  torch::manual_seed(5);
  auto wide = torch::randn({6, 20}, torch::kDouble);
  adapt::RidgeRegression dual;
  dual.fit(wide, wide.sum(1));
  EXPECT_EQ(dual.weight().size(0), 20);
  EXPECT_LT((dual.predict(wide).squeeze(1) - wide.sum(1)).abs().max().item<double>(), 2.0);
}

// ---- core baselines over core blocks ----------------------------------------------------------

adapt::Records table(int n) {
  adapt::Records records({"a", "b", "label", "value"}, "table.csv");
  torch::manual_seed(6);
  auto x = torch::randn({n, 2}, torch::kDouble);
  for (int i = 0; i < n; ++i) {
    const double a = x[i][0].item<double>(), b = x[i][1].item<double>();
    records.add_row({std::to_string(a), std::to_string(b), a - b > 0 ? "up" : "down",
                     std::to_string(2 * a - 3 * b + 1)},
                    "table.csv:" + std::to_string(i + 2));
  }
  return records;
}

struct Fixture {
  adapt::Registry registry;
  adapt::Records records = table(300);
  adapt::SplitIndices split;
  std::unique_ptr<adapt::DataBlocks> blocks;

  explicit Fixture(const adapt::json& target) {
    adapt::register_core_components(registry);
    for (size_t i = 0; i < records.size(); ++i) (i % 5 == 0 ? split.valid : split.train).push_back(i);
    blocks = std::make_unique<adapt::DataBlocks>(
        std::vector<adapt::BoundBlock>{
            {"x", registry.block({{"name", "core.regression"}, {"columns", {"a", "b"}}}, "inputs[0]")}},
        adapt::BoundBlock{"y", registry.block(target, "target")});
    blocks->setup(records.subset(split.train));
  }
  adapt::BaselineContext ctx() const { return {records, split, *blocks}; }
};

TEST(CoreBaselinesTest, LogisticOnClassificationTarget) {
  Fixture f({{"name", "core.category"}, {"column", "label"}});
  auto baseline = f.registry.baseline({{"name", "core.logistic"}}, "baselines[0]");
  baseline->fit(f.ctx());
  auto logp = baseline->predict(f.ctx(), f.split.valid);
  ASSERT_EQ(logp.size(0), static_cast<int64_t>(f.split.valid.size()));
  ASSERT_EQ(logp.size(1), 2);
  auto y = adapt::baseline_targets(f.ctx(), f.split.valid).reshape({-1});
  EXPECT_GE(logp.argmax(1).eq(y).to(torch::kDouble).mean().item<double>(), 0.95);
  auto linear = f.registry.baseline({{"name", "core.linear"}}, "baselines[1]");
  EXPECT_THROW(linear->fit(f.ctx()), adapt::Error);  // wrong kind of target
}

TEST(CoreBaselinesTest, LinearOnRegressionTarget) {
  Fixture f({{"name", "core.regression"}, {"column", "value"}});
  auto baseline = f.registry.baseline({{"name", "core.linear"}, {"alpha", 1e-6}}, "baselines[0]");
  baseline->fit(f.ctx());
  auto pred = baseline->predict(f.ctx(), f.split.valid);
  auto y = adapt::baseline_targets(f.ctx(), f.split.valid).reshape({-1, 1}).to(torch::kFloat);
  ASSERT_EQ(pred.sizes(), y.sizes());
  EXPECT_LT((pred - y).abs().max().item<double>(), 1e-3);  // exact relation, 6-digit CSV text
}

}  // namespace
