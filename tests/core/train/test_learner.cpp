#include <gtest/gtest.h>

#include "adapt/train/callbacks.h"
#include "adapt/train/optimizer.h"
#include "adapt/train/schedule.h"
#include "core/support/learner_fixtures.h"

using namespace adapt;
using namespace adapt::testing;

TEST(Learner, ConvergesOnASeparableProblem) {
  auto p = tiny_problem(1000, 200);
  auto learner = tiny_learner(p, tiny_mlp(p), tiny_loaders(p));
  json before = learner->validate();
  learner->fit_one_cycle(6, 2e-2);
  json after = learner->validate();
  EXPECT_LT(after["loss"].get<double>(), before["loss"].get<double>() * 0.5);
  EXPECT_GE(after["accuracy"].get<double>(), 0.95);
  ASSERT_EQ(learner->recorder().history().size(), 6u);
  EXPECT_EQ(learner->total_steps(), 6 * 25);  // 800 training rows in batches of 32
  EXPECT_FALSE(learner->model().is_training());  // eval after fit
}

TEST(Learner, OneCycleSetsLrAndMomentumPerStepAsTheScheduleSays) {
  auto p = tiny_problem();
  auto learner = tiny_learner(p, tiny_mlp(p), tiny_loaders(p));
  std::vector<double> lrs, moms;
  auto recorder = std::make_shared<LambdaCallback>("rec", callback_order::schedule + 1);
  recorder->on_before_batch([&](Learner& l) {
    lrs.push_back(l.lrs().back());
    moms.push_back(l.moms().back());
  });
  learner->add_callback(recorder);
  learner->fit_one_cycle(2, 1e-2);
  int64_t total = learner->total_steps();
  ASSERT_EQ(static_cast<int64_t>(lrs.size()), total);
  OneCycleSchedule expected(1e-2, total);
  for (int64_t s = 0; s < total; ++s) {
    EXPECT_NEAR(lrs[static_cast<size_t>(s)], expected.lr(s), 1e-12) << "step " << s;
    EXPECT_NEAR(moms[static_cast<size_t>(s)], *expected.mom(s), 1e-12) << "step " << s;
  }
  // fastai's shape: starts at lr_max/25, peaks at lr_max, anneals far below the start.
  EXPECT_NEAR(lrs.front(), 1e-2 / 25, 1e-12);
  EXPECT_NEAR(*std::max_element(lrs.begin(), lrs.end()), 1e-2, 1e-4);
  EXPECT_LT(lrs.back(), lrs.front() / 2);
  EXPECT_NEAR(moms.front(), 0.95, 1e-12);
}

TEST(Learner, GradientAccumulationOfTwoEqualsADoubleBatch) {
  auto p = tiny_problem(320, 64);  // 256 training rows: 8 batches of 32 or 16 of 16
  auto model_a = tiny_mlp(p, {8}, /*batchnorm=*/false, 0.0, 5);
  auto model_b = tiny_mlp(p, {8}, /*batchnorm=*/false, 0.0, 5);
  ASSERT_TRUE(bit_equal(weights_of(*model_a), weights_of(*model_b)));
  auto accumulate = tiny_learner(p, model_a, tiny_loaders(p, 16, /*shuffle=*/false), LearnerOptions().grad_accum(2));
  auto big_batch = tiny_learner(p, model_b, tiny_loaders(p, 32, /*shuffle=*/false));
  accumulate->fit(2, 1e-2);
  big_batch->fit(2, 1e-2);
  auto a = weights_of(*model_a), b = weights_of(*model_b);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_LT((a[i] - b[i]).abs().max().item<double>(), 1e-6) << "tensor " << i;
  // And the training actually moved the weights.
  auto fresh = weights_of(*tiny_mlp(p, {8}, false, 0.0, 5));
  EXPECT_FALSE(bit_equal(a, fresh));
}

TEST(Learner, FreezeTrainsOnlyTheLastGroup) {
  auto p = tiny_problem();
  auto model = tiny_mlp(p, {16, 8});
  auto learner = tiny_learner(p, model, tiny_loaders(p));
  ASSERT_EQ(learner->n_layer_groups(), 3u);
  auto groups_before = model->layer_groups();
  std::vector<std::vector<torch::Tensor>> before;
  for (auto& g : groups_before) {
    before.emplace_back();
    for (auto& t : g) before.back().push_back(t.detach().clone());
  }
  learner->freeze();
  learner->fit(1, 1e-2);
  auto groups_after = model->layer_groups();
  for (size_t g = 0; g < groups_after.size(); ++g)
    for (size_t i = 0; i < groups_after[g].size(); ++i) {
      bool same = torch::equal(before[g][i], groups_after[g][i]);
      if (g + 1 < groups_after.size()) {
        EXPECT_TRUE(same) << "frozen group " << g << " changed";
      } else {
        EXPECT_FALSE(same) << "the last group did not train";
      }
    }
  learner->unfreeze();
  for (auto& t : model->parameters()) EXPECT_TRUE(t.requires_grad());
  EXPECT_THROW(learner->freeze_to(3), OptionError);
}

TEST(Learner, DiscriminativeLearningRatesSpreadOverLayerGroups) {
  auto p = tiny_problem();
  auto learner = tiny_learner(p, tiny_mlp(p, {16, 8}), tiny_loaders(p));
  learner->fit(1, LearningRate(1e-4, 1e-2));
  auto lrs = learner->lrs();
  ASSERT_EQ(lrs.size(), 3u);
  EXPECT_NEAR(lrs[0], 1e-4, 1e-12);
  EXPECT_NEAR(lrs[1], 1e-3, 1e-12);  // geometric middle
  EXPECT_NEAR(lrs[2], 1e-2, 1e-12);
}

TEST(Learner, NoWeightDecayOnBiasesAndNormWeights) {
  auto p = tiny_problem();
  auto learner = tiny_learner(p, tiny_mlp(p, {16}, /*batchnorm=*/true), tiny_loaders(p), LearnerOptions().wd(0.1));
  size_t decayed = 0, not_decayed = 0;
  for (size_t g = 0; g < learner->optimizer().n_groups(); ++g) {
    const auto& group = learner->optimizer().group(g);
    for (const auto& t : group.params) {
      if (t.dim() == 1) {
        EXPECT_FALSE(group.decay) << "a 1-D parameter (bias / norm weight) is decayed";
        ++not_decayed;
      } else {
        EXPECT_TRUE(group.decay);
        ++decayed;
      }
    }
  }
  EXPECT_EQ(decayed, 2u);      // two Linear weights
  EXPECT_EQ(not_decayed, 3u);  // BatchNorm weight and bias, head bias
}

TEST(Learner, GradientClippingBoundsTheGlobalNorm) {
  auto p = tiny_problem();
  auto learner = tiny_learner(p, tiny_mlp(p), tiny_loaders(p), LearnerOptions().grad_clip(0.01));
  double max_norm = 0;
  auto probe = std::make_shared<LambdaCallback>("probe");
  probe->on_after_step([&](Learner& l) { (void)l; });
  struct NormProbe : Callback {
    double* max_norm;
    std::string name() const override { return "norm_probe"; }
    void before_step(Learner& l) override {
      double sq = 0;
      for (auto& t : l.model().parameters())
        if (t.grad().defined()) sq += t.grad().pow(2).sum().item<double>();
      *max_norm = std::max(*max_norm, std::sqrt(sq));
    }
  };
  auto norm_probe = std::make_shared<NormProbe>();
  norm_probe->max_norm = &max_norm;
  learner->add_callback(norm_probe);
  learner->fit(1, 1e-2);
  EXPECT_GT(max_norm, 0.0);
  EXPECT_LE(max_norm, 0.01 * (1 + 1e-5));
}

TEST(Learner, LrFindRestoresTheWeightsAndSuggests) {
  auto p = tiny_problem(2000, 200);
  auto model = tiny_mlp(p);
  auto learner = tiny_learner(p, model, tiny_loaders(p, 16));
  auto before = weights_of(*model);
  LrFindResult r = learner->lr_find();
  EXPECT_TRUE(bit_equal(before, weights_of(*model)));
  ASSERT_GE(r.lrs.size(), 10u);
  ASSERT_EQ(r.lrs.size(), r.losses.size());
  for (size_t i = 1; i < r.lrs.size(); ++i) EXPECT_GT(r.lrs[i], r.lrs[i - 1]);
  EXPECT_NEAR(r.lrs.front(), 1e-7, 1e-12);
  EXPECT_GT(r.suggestion, 1e-6);
  EXPECT_LT(r.suggestion, 10.0);
  // Training still works after the sweep.
  learner->fit_one_cycle(2, r.suggestion * 10);
  EXPECT_GE(learner->validate()["accuracy"].get<double>(), 0.9);
}

TEST(Learner, ValidatePredictAndGetPreds) {
  auto p = tiny_problem();
  auto learner = tiny_learner(p, tiny_mlp(p), tiny_loaders(p));
  learner->fit_one_cycle(4, 1e-2);
  json v = learner->validate();
  ASSERT_TRUE(v.contains("loss"));
  ASSERT_TRUE(v.contains("accuracy"));
  Predictions preds = learner->get_preds();
  ASSERT_EQ(preds.outputs.size(0), 100);
  ASSERT_EQ(preds.losses.size(0), 100);
  ASSERT_EQ(preds.rows.size(0), 100);
  // Mean per-item loss equals the validation loss; accuracy from the outputs equals the metric.
  EXPECT_NEAR(preds.losses.mean().item<double>(), v["loss"].get<double>(), 1e-5);
  double acc = (preds.outputs.argmax(1) == preds.targets).to(torch::kDouble).mean().item<double>();
  EXPECT_NEAR(acc, v["accuracy"].get<double>(), 1e-12);

  Records raw({"a", "b"}, "test");
  raw.add_row({"3.0", "1.0"});
  raw.add_row({"-3.0", "-1.0"});
  auto decoded = learner->predict(raw);
  ASSERT_EQ(decoded.size(), 2u);
  EXPECT_EQ(decoded[0]["label"], "pos");
  EXPECT_EQ(decoded[1]["label"], "neg");
  Records missing({"a"}, "test");
  missing.add_row({"1"});
  EXPECT_THROW(learner->predict(missing), DataError);
}

TEST(Learner, RejectsBadOptions) {
  auto p = tiny_problem();
  EXPECT_THROW(tiny_learner(p, tiny_mlp(p), tiny_loaders(p), LearnerOptions().grad_accum(0)), OptionError);
  EXPECT_THROW(tiny_learner(p, tiny_mlp(p), tiny_loaders(p), LearnerOptions().optimizer("lbfgs")), OptionError);
  auto learner = tiny_learner(p, tiny_mlp(p), tiny_loaders(p));
  EXPECT_THROW(learner->fit(0, 1e-3), OptionError);
}
