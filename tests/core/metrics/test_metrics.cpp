// Metrics against hand-computed values (checked with scikit-learn) and their degenerate cases.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "adapt/data/block.h"
#include "adapt/metrics/metrics.h"
#include "adapt/data/regression_block.h"
#include "adapt/plugin/registry.h"
#include "adapt/recipe/recipe.h"

namespace {

// Logits whose argmax is `predicted`.
torch::Tensor one_hot_logits(const std::vector<int64_t>& predicted, int64_t n_classes) {
  auto out = torch::zeros({static_cast<int64_t>(predicted.size()), n_classes});
  for (size_t i = 0; i < predicted.size(); ++i) out[static_cast<int64_t>(i)][predicted[i]] = 3.0;
  return out;
}

// targets 0 0 1 1 2 2 2, predictions 0 1 1 1 2 0 2: confusion [[1,1,0],[0,2,0],[1,0,2]].
const std::vector<int64_t> kTargets = {0, 0, 1, 1, 2, 2, 2};
const std::vector<int64_t> kPredicted = {0, 1, 1, 1, 2, 0, 2};

template <typename M>
double run(M& metric, const std::vector<int64_t>& predicted = kPredicted,
           const std::vector<int64_t>& targets = kTargets, int64_t split_at = 3) {
  metric.reset();
  auto out = one_hot_logits(predicted, 3);
  auto y = torch::tensor(targets, torch::kLong);
  const int64_t n = y.size(0);
  // Two uneven batches: accumulation must be exact, not a mean of batch means.
  metric.accumulate(out.slice(0, 0, split_at), y.slice(0, 0, split_at));
  metric.accumulate(out.slice(0, split_at, n), y.slice(0, split_at, n));
  return metric.value();
}

TEST(MetricsTest, ConfusionMatrixAndAccuracy) {
  adapt::BalancedAccuracy bal;
  run(bal);
  auto expected = torch::tensor({{1, 1, 0}, {0, 2, 0}, {1, 0, 2}}, torch::kLong);
  EXPECT_TRUE(torch::equal(bal.confusion_matrix(), expected));
  adapt::Accuracy acc;
  EXPECT_DOUBLE_EQ(run(acc), 5.0 / 7.0);
  adapt::ErrorRate err;
  EXPECT_DOUBLE_EQ(run(err), 2.0 / 7.0);
  EXPECT_FALSE(err.higher_is_better());
}

TEST(MetricsTest, PrecisionRecallF1ByHand) {
  using adapt::Average;
  using adapt::PrfKind;
  adapt::PrecisionRecallF1 p(PrfKind::precision), r(PrfKind::recall), f(PrfKind::f1);
  run(p);
  run(r);
  const auto pc = p.per_class(), rc = r.per_class();
  ASSERT_EQ(pc.size(), 3u);
  EXPECT_DOUBLE_EQ(pc[0], 0.5);
  EXPECT_DOUBLE_EQ(pc[1], 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(pc[2], 1.0);
  EXPECT_DOUBLE_EQ(rc[0], 0.5);
  EXPECT_DOUBLE_EQ(rc[1], 1.0);
  EXPECT_DOUBLE_EQ(rc[2], 2.0 / 3.0);
  EXPECT_NEAR(run(f), (0.5 + 0.8 + 0.8) / 3, 1e-12);  // per class 2tp/(pred+actual)
  EXPECT_EQ(f.name(), "f1");
  adapt::PrecisionRecallF1 fw(PrfKind::f1, Average::weighted);
  EXPECT_NEAR(run(fw), (0.5 * 2 + 0.8 * 2 + 0.8 * 3) / 7, 1e-12);
  EXPECT_EQ(fw.name(), "f1_weighted");
  adapt::PrecisionRecallF1 fm(PrfKind::f1, Average::micro);
  EXPECT_NEAR(run(fm), 5.0 / 7.0, 1e-12);
  adapt::PrecisionRecallF1 fb(PrfKind::f1, Average::binary, 2);
  EXPECT_NEAR(run(fb), 0.8, 1e-12);
  // Macro averages over classes present in targets or predictions (scikit-learn): a class seen in
  // neither does not drag the mean to 0.
  adapt::PrecisionRecallF1 f_two(PrfKind::f1);
  EXPECT_NEAR(run(f_two, {0, 1, 1}, {0, 1, 0}, 1), (2.0 / 3.0 + 2.0 / 3.0) / 2, 1e-12);
}

TEST(MetricsTest, BalancedAccuracyAndMcc) {
  adapt::BalancedAccuracy bal;
  EXPECT_NEAR(run(bal), (0.5 + 1.0 + 2.0 / 3.0) / 3, 1e-12);
  adapt::MatthewsCorrCoef mcc;
  // (c s - p.t) / sqrt((s^2 - p.p)(s^2 - t.t)) = (35 - 16) / sqrt(32 * 32).
  EXPECT_NEAR(run(mcc), 19.0 / 32.0, 1e-12);
  EXPECT_NEAR(run(mcc, {0, 1, 2, 2, 1}, {0, 1, 2, 2, 1}, 2), 1.0, 1e-12);
}

TEST(MetricsTest, DegenerateCasesAreDefined) {
  adapt::Accuracy acc;
  adapt::ErrorRate err;
  adapt::BalancedAccuracy bal;
  adapt::MatthewsCorrCoef mcc;
  adapt::PrecisionRecallF1 f1(adapt::PrfKind::f1);
  adapt::AUROC auroc;
  adapt::RMSE rmse;
  adapt::MAE mae;
  adapt::R2 r2;
  adapt::Perplexity ppl;
  for (adapt::Metric* m : std::vector<adapt::Metric*>{&acc, &err, &bal, &mcc, &f1, &auroc, &rmse, &mae, &r2, &ppl})
    m->reset();
  EXPECT_EQ(acc.value(), 0.0);
  EXPECT_EQ(err.value(), 0.0);
  EXPECT_EQ(bal.value(), 0.0);
  EXPECT_EQ(mcc.value(), 0.0);
  EXPECT_EQ(f1.value(), 0.0);
  EXPECT_EQ(auroc.value(), 0.5);
  EXPECT_EQ(rmse.value(), 0.0);
  EXPECT_EQ(mae.value(), 0.0);
  EXPECT_EQ(r2.value(), 0.0);
  EXPECT_EQ(ppl.value(), 0.0);
  // One class only: MCC 0, AUROC 0.5, never NaN.
  auto out = one_hot_logits({1, 1, 0}, 2);
  auto y = torch::tensor({1, 1, 1}, torch::kLong);
  mcc.accumulate(out, y);
  auroc.accumulate(out, y);
  EXPECT_EQ(mcc.value(), 0.0);
  EXPECT_EQ(auroc.value(), 0.5);
  // Constant regression targets: R2 is 1 when exact, 0 otherwise.
  r2.accumulate(torch::tensor({2.0, 2.0}), torch::tensor({2.0, 2.0}));
  EXPECT_EQ(r2.value(), 1.0);
  r2.accumulate(torch::tensor({2.5}), torch::tensor({2.0}));
  EXPECT_EQ(r2.value(), 0.0);
}

TEST(MetricsTest, BinaryAurocWithTies) {
  // Positives 0.35, 0.8, 0.4 against negatives 0.1, 0.4: pairs won 1+0 + 2 + 1+0.5 = 4.5 of 6.
  auto scores = torch::tensor({0.1, 0.4, 0.35, 0.8, 0.4}, torch::kDouble);
  auto labels = torch::tensor({0, 0, 1, 1, 1}, torch::kLong);
  EXPECT_DOUBLE_EQ(adapt::binary_auroc(scores, labels), 0.75);
  // Through the metric: two-class log-probabilities whose class-1 probability is the score.
  auto logp = torch::stack({(1 - scores).log(), scores.log()}, 1);
  adapt::AUROC auroc;
  auroc.accumulate(logp.slice(0, 0, 2), labels.slice(0, 0, 2));
  auroc.accumulate(logp.slice(0, 2, 5), labels.slice(0, 2, 5));
  EXPECT_NEAR(auroc.value(), 0.75, 1e-12);
  // One logit per item: the score is the logit.
  adapt::AUROC single;
  single.accumulate((scores / (1 - scores)).log().to(torch::kFloat).unsqueeze(1), labels);
  EXPECT_NEAR(single.value(), 0.75, 1e-12);
}

TEST(MetricsTest, MulticlassAurocIsOneVsRestMacro) {
  auto probs = torch::tensor({{0.6, 0.3, 0.1},
                              {0.3, 0.4, 0.3},
                              {0.5, 0.2, 0.3},
                              {0.1, 0.3, 0.6},
                              {0.2, 0.5, 0.3},
                              {0.3, 0.3, 0.4}},
                             torch::kDouble);
  auto y = torch::tensor({0, 1, 1, 2, 0, 2}, torch::kLong);
  adapt::AUROC auroc;
  auroc.accumulate(probs.log(), y);
  // Per class 5/8, 3/8 and 1 (scikit-learn roc_auc_score ovr macro: 2/3).
  EXPECT_NEAR(auroc.value(), (0.625 + 0.375 + 1.0) / 3, 1e-12);
}

TEST(MetricsTest, SequencesAndMultiLabel) {
  // Tokens with -100 are dropped: 2 of 3 real tokens right.
  auto out = torch::zeros({1, 4, 3});
  out[0][0][1] = 1;  // predicts 1, target 1
  out[0][1][2] = 1;  // predicts 2, target 0
  out[0][2][0] = 1;  // predicts 0, target 0
  out[0][3][1] = 1;  // padding
  auto y = torch::tensor({{1, 0, 0, -100}}, torch::kLong);
  adapt::Accuracy acc;
  acc.accumulate(out, y);
  EXPECT_DOUBLE_EQ(acc.value(), 2.0 / 3.0);
  // Multi-label: per label with a 0.5 probability threshold.
  adapt::Accuracy multi;
  multi.accumulate(torch::tensor({{2.0, -1.0}, {-3.0, 0.5}}), torch::tensor({{1.0, 1.0}, {0.0, 1.0}}));
  EXPECT_DOUBLE_EQ(multi.value(), 0.75);
  adapt::AUROC ml;
  ml.accumulate(torch::tensor({{2.0, -1.0}, {-3.0, 0.5}, {0.0, 0.0}}),
                torch::tensor({{1.0, 1.0}, {0.0, 1.0}, {0.0, 0.0}}));
  // Label 0: positive 2.0 beats -3 and 0 -> 1. Label 1: positives -1, 0.5 vs negative 0 -> 1/2.
  EXPECT_NEAR(ml.value(), 0.75, 1e-12);
  adapt::PrecisionRecallF1 f1(adapt::PrfKind::f1);
  EXPECT_THROW(f1.accumulate(torch::zeros({2, 2}), torch::zeros({2, 2})), adapt::Error);
}

TEST(MetricsTest, OutOfRangeClassIsAnError) {
  adapt::Accuracy acc;
  try {
    acc.accumulate(torch::zeros({2, 3}), torch::tensor({0, 5}, torch::kLong));
    FAIL();
  } catch (const adapt::Error& e) {
    EXPECT_NE(std::string(e.what()).find("target class 5"), std::string::npos) << e.what();
  }
}

TEST(MetricsTest, RegressionByHand) {
  auto pred = torch::tensor({1.5, 2.0, 2.5, 5.0});
  auto y = torch::tensor({{1.0}, {2.0}, {3.0}, {4.0}});
  adapt::RMSE rmse;
  adapt::MAE mae;
  adapt::R2 r2, r2_far;
  for (int64_t s : {0, 1}) {  // batches of 1 and 3
    auto sl = [&](const torch::Tensor& t) { return s == 0 ? t.slice(0, 0, 1) : t.slice(0, 1, 4); };
    rmse.accumulate(sl(pred), sl(y));
    mae.accumulate(sl(pred), sl(y));
    r2.accumulate(sl(pred), sl(y));
    // A large offset must not cost precision (merged means, not raw sums of squares).
    r2_far.accumulate(sl(pred).to(torch::kDouble) + 1e8, sl(y).to(torch::kDouble) + 1e8);
  }
  EXPECT_NEAR(rmse.value(), std::sqrt(1.5 / 4), 1e-12);
  EXPECT_NEAR(mae.value(), 0.5, 1e-12);
  EXPECT_NEAR(r2.value(), 1 - 1.5 / 5.0, 1e-12);  // SS_tot = 2.25 + .25 + .25 + 2.25
  EXPECT_NEAR(r2_far.value(), 0.7, 1e-9);
  EXPECT_FALSE(rmse.higher_is_better());
  EXPECT_THROW(rmse.accumulate(torch::zeros({3}), torch::zeros({4})), adapt::Error);
}

// A standardised target (core.regression's normalize): RMSE and MAE in the column's own units, R²
// unchanged, and build_metrics hands the block's scale over.
TEST(MetricsTest, RegressionInTheTargetsUnits) {
  auto pred = torch::tensor({{0.5, 1.0}, {-1.0, 0.0}});  // standardised: errors 0.5, 1 and 0, -1
  auto y = torch::tensor({{0.0, 0.0}, {-1.0, 1.0}});
  adapt::RMSE rmse;
  adapt::MAE mae;
  rmse.set_output_scale({2.0, 3.0});
  mae.set_output_scale({2.0, 3.0});
  rmse.accumulate(pred, y);
  mae.accumulate(pred, y);
  EXPECT_NEAR(rmse.value(), std::sqrt((1.0 + 9.0 + 0.0 + 9.0) / 4), 1e-12);  // errors 1, 3, 0, -3
  EXPECT_NEAR(mae.value(), (1.0 + 3.0 + 0.0 + 3.0) / 4, 1e-12);
  EXPECT_THROW(rmse.accumulate(torch::zeros({2, 3}), torch::zeros({2, 3})), adapt::Error);

  adapt::Records records({"y"}, "r.csv");
  for (const char* v : {"1", "3", "5"}) records.add_row({v}, "r.csv");
  adapt::RegressionBlock target(adapt::RegressionBlockOptions({"y"}).normalize(true));
  target.setup(records);  // mean 3, std 2
  adapt::Registry registry;
  adapt::register_core_components(registry);
  auto metrics = adapt::build_metrics(adapt::json{{"metrics", {"core.rmse", "core.r2"}}}, registry, target);
  ASSERT_EQ(metrics.size(), 2u);
  metrics[0]->accumulate(torch::tensor({0.5}), torch::tensor({0.0}));  // one standard deviation off by half
  EXPECT_NEAR(metrics[0]->value(), 1.0, 1e-12);
}

TEST(MetricsTest, PerplexityOfUniformModelIsVocabularySize) {
  auto out = torch::zeros({2, 3, 7});
  out[1][2].fill_(100).index_put_({0}, -100);  // garbage at an ignored position
  auto y = torch::tensor({{1, 2, 3}, {4, 5, -100}}, torch::kLong);
  adapt::Perplexity ppl;
  ppl.accumulate(out.slice(0, 0, 1), y.slice(0, 0, 1));
  ppl.accumulate(out.slice(0, 1, 2), y.slice(0, 1, 2));
  EXPECT_NEAR(ppl.value(), 7.0, 1e-9);
  // exp of the mean token cross-entropy.
  auto out2 = torch::tensor({{2.0, 0.0}, {0.0, 1.0}});
  auto y2 = torch::tensor({0, 0}, torch::kLong);
  const double nll = (std::log(std::exp(2.0) + 1) - 2 + std::log(1 + std::exp(1.0))) / 2;
  adapt::Perplexity p2;
  p2.accumulate(out2, y2);
  EXPECT_NEAR(p2.value(), std::exp(nll), 1e-9);
}

class FakeTarget : public adapt::Block {
 public:
  explicit FakeTarget(std::string loss) : loss_(std::move(loss)) {}
  std::vector<std::string> columns() const override { return {"y"}; }
  adapt::TensorDict encode(const adapt::Records&, size_t, const adapt::EncodeContext&) const override { return {}; }
  std::string loss() const override { return loss_; }

 private:
  std::string loss_;
};

TEST(MetricsTest, DefaultMetricsFollowTheTargetLoss) {
  auto cls = adapt::default_metrics(FakeTarget("cross_entropy"));
  ASSERT_EQ(cls.size(), 1u);
  EXPECT_EQ(cls[0]->name(), "accuracy");
  auto reg = adapt::default_metrics(FakeTarget("mse"));
  ASSERT_EQ(reg.size(), 1u);
  EXPECT_EQ(reg[0]->name(), "rmse");
}

TEST(MetricsTest, RegisteredWithOptions) {
  adapt::Registry registry;
  adapt::register_core_components(registry);
  for (const char* name : {"core.accuracy", "core.error_rate", "core.balanced_accuracy", "core.precision", "core.recall",
                           "core.f1", "core.mcc", "core.auroc", "core.rmse", "core.mae", "core.r2", "core.perplexity"})
    EXPECT_TRUE(registry.has(adapt::Kind::metric, name)) << name;
  auto f1 = registry.metric({{"name", "core.f1"}, {"average", "weighted"}}, "metrics[1]");
  EXPECT_EQ(f1->name(), "f1_weighted");
  EXPECT_THROW(registry.metric({{"name", "core.f1"}, {"average", "mean"}}, "metrics[1]"), adapt::OptionError);
  auto ce = registry.loss({{"name", "core.cross_entropy"}, {"label_smoothing", 0.1}}, "loss");
  EXPECT_NE(ce, nullptr);
}

}  // namespace
