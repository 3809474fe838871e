// Optimizers against hand-computed updates, torch::optim::AdamW, and the sparse/dense equivalence.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <sstream>

#include "adapt/train/optimizer.h"

namespace {

adapt::HyperParams hp(double lr, double wd) {
  adapt::HyperParams h;
  h.lr = lr;
  h.wd = wd;
  return h;
}

TEST(AdamWTest, OneStepByHand) {
  auto p = torch::tensor({1.0f, -2.0f}).requires_grad_(true);
  p.mutable_grad() = torch::tensor({0.5f, 0.1f});
  adapt::AdamW opt({{{p}, hp(0.1, 0.01)}});
  opt.step();
  // p *= 1 - lr wd; m = (1-b1) g; v = (1-b2) g^2; p -= lr/(1-b1) m / (sqrt(v/(1-b2)) + eps)
  //   = lr g / (|g| + eps).
  const double p0 = 1.0 * (1 - 0.001) - 0.1 * 0.5 / (0.5 + 1e-5);
  const double p1 = -2.0 * (1 - 0.001) - 0.1 * 0.1 / (0.1 + 1e-5);
  EXPECT_NEAR(p[0].item<double>(), p0, 1e-6);
  EXPECT_NEAR(p[1].item<double>(), p1, 1e-6);
}

TEST(AdamWTest, MatchesTorchAdamWOverSeveralSteps) {
  torch::manual_seed(1);
  for (auto dtype : {torch::kFloat, torch::kDouble}) {  // fused kernel and tensor-op path
    auto init = torch::randn({300, 7}, dtype);
    auto a = init.clone().requires_grad_(true), b = init.clone().requires_grad_(true);
    adapt::AdamW ours({{{a}, hp(3e-2, 0.1)}});
    torch::optim::AdamW ref({b}, torch::optim::AdamWOptions(3e-2).betas({0.9, 0.99}).eps(1e-5).weight_decay(0.1));
    for (int step = 0; step < 5; ++step) {
      auto g = torch::randn({300, 7}, dtype);
      a.mutable_grad() = g.clone();
      b.mutable_grad() = g.clone();
      ours.step();
      ref.step();
    }
    EXPECT_TRUE(torch::allclose(a, b, 1e-5, 1e-6)) << (a - b).abs().max().item<double>();
  }
}

TEST(AdamWTest, ChannelsLastParameterStepsAsItsContiguousCopy) {
  // Convolution weights in channels-last layout (audio.cnn) take the fused kernel over raw memory;
  // their moments must keep that layout and the values must equal the row-major parameter's.
  torch::manual_seed(2);
  auto init = torch::randn({8, 4, 3, 3});
  auto a = init.contiguous(torch::MemoryFormat::ChannelsLast).requires_grad_(true);
  auto b = init.clone().requires_grad_(true);
  ASSERT_FALSE(a.is_contiguous());
  adapt::AdamW channels_last({{{a}, hp(3e-2, 0.1)}});
  adapt::AdamW row_major({{{b}, hp(3e-2, 0.1)}});
  for (int step = 0; step < 4; ++step) {
    auto g = torch::randn({8, 4, 3, 3});
    a.mutable_grad() = g.contiguous(torch::MemoryFormat::ChannelsLast);
    b.mutable_grad() = g.clone();
    channels_last.step();
    row_major.step();
  }
  EXPECT_TRUE(a.is_contiguous(torch::MemoryFormat::ChannelsLast));
  EXPECT_TRUE(torch::equal(a, b)) << (a - b).abs().max().item<double>();
}

TEST(AdamWTest, NoDecayOnBiasesAndNorms) {
  torch::nn::Linear lin(3, 2);
  torch::nn::LayerNorm norm(torch::nn::LayerNormOptions({2}));
  std::vector<torch::Tensor> params = lin->parameters();
  for (auto& t : norm->parameters()) params.push_back(t);
  auto groups = adapt::split_no_decay({params}, hp(0.1, 0.5));
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_TRUE(groups[0].decay);
  EXPECT_EQ(groups[0].params.size(), 1u);  // the Linear weight
  EXPECT_FALSE(groups[1].decay);
  EXPECT_EQ(groups[1].params.size(), 3u);  // bias, LayerNorm weight and bias
  auto weight = lin->weight.detach().clone(), bias = lin->bias.detach().clone();
  for (auto& t : params) t.mutable_grad() = torch::zeros_like(t);  // zero gradient: only decay moves
  adapt::AdamW opt(groups);
  opt.step();
  EXPECT_TRUE(torch::allclose(lin->weight, weight * (1 - 0.1 * 0.5)));
  EXPECT_TRUE(torch::equal(lin->bias, bias));
  EXPECT_TRUE(torch::equal(norm->weight, torch::ones({2})));
}

TEST(AdamWTest, SparseUpdatesOnlyBatchRowsAndEqualsDenseThere) {
  for (auto dtype : {torch::kFloat, torch::kDouble}) {
    torch::manual_seed(2);
    torch::nn::Embedding sparse(torch::nn::EmbeddingOptions(10, 4).sparse(true));
    sparse->weight.set_data(sparse->weight.detach().to(dtype));
    auto dense = sparse->weight.detach().clone().requires_grad_(true);
    auto before = sparse->weight.detach().clone();
    adapt::AdamW opt_sparse({{{sparse->weight}, hp(0.05, 0.1)}});
    adapt::AdamW opt_dense({{{dense}, hp(0.05, 0.1)}});

    auto idx = torch::tensor({1, 3, 3, 7}, torch::kLong);
    auto coef = torch::randn({4, 4}, dtype);
    (sparse(idx) * coef).sum().backward();
    ASSERT_TRUE(sparse->weight.grad().is_sparse());
    dense.mutable_grad() = sparse->weight.grad().to_dense();
    opt_sparse.step();
    opt_dense.step();
    auto rows = torch::tensor({1, 3, 7}, torch::kLong);
    EXPECT_TRUE(torch::allclose(sparse->weight.index_select(0, rows), dense.index_select(0, rows), 1e-6, 1e-7));
    auto others = torch::tensor({0, 2, 4, 5, 6, 8, 9}, torch::kLong);
    EXPECT_TRUE(torch::equal(sparse->weight.index_select(0, others), before.index_select(0, others)))
        << "rows outside the batch must not move (not even by weight decay)";
    EXPECT_FALSE(torch::equal(sparse->weight.index_select(0, rows), before.index_select(0, rows)));
  }
}

TEST(AdamWTest, RowWiseSparseKeepsOneValuePerRowAndStepsByHand) {
  torch::nn::Embedding table(torch::nn::EmbeddingOptions(6, 2).sparse(true));
  table->weight.set_data(torch::ones({6, 2}));
  torch::nn::Linear dense(2, 1);
  auto dense_before = dense->weight.detach().clone();
  // A recipe's "optimizer": "rowwise_adamw" goes through default_hyper_params first: AdamW's.
  const adapt::HyperParams defaults = adapt::default_hyper_params("rowwise_adamw");
  EXPECT_EQ(defaults.lr, adapt::default_hyper_params("adamw").lr);
  EXPECT_EQ(defaults.sqr_mom, 0.99);
  auto opt = adapt::make_optimizer("rowwise_adamw", {{{table->weight, dense->weight}, hp(0.1, 0.0)}});
  EXPECT_EQ(opt->name(), "rowwise_adamw");
  // Row 2 gets the gradient (3, 4): mean square 12.5; v = (1 - b2) 12.5; debiased sqrt(v / (1 - b2)) =
  // sqrt(12.5), so p -= lr g / (sqrt(12.5) + eps).
  (table(torch::tensor({2}, torch::kLong)) * torch::tensor({{3.0f, 4.0f}})).sum().backward();
  dense->weight.mutable_grad() = torch::ones_like(dense->weight);
  opt->step();
  const double scale = 0.1 / (std::sqrt(12.5) + 1e-5);
  EXPECT_NEAR(table->weight[2][0].item<double>(), 1 - scale * 3, 1e-6);
  EXPECT_NEAR(table->weight[2][1].item<double>(), 1 - scale * 4, 1e-6);
  EXPECT_TRUE(torch::equal(table->weight[0], torch::ones({2})));  // rows outside the batch stay
  // The table's state is one float per row; the dense weight moved by plain AdamW (lr g / |g|).
  adapt::TensorDict state = opt->state_dict();
  ASSERT_TRUE(state.count("g0.p0.row_sq"));
  EXPECT_EQ(state.at("g0.p0.row_sq").sizes(), (std::vector<int64_t>{6}));
  EXPECT_FALSE(state.count("g0.p0.exp_avg"));
  EXPECT_TRUE(torch::allclose(dense->weight, dense_before - 0.1, 1e-5, 1e-6));
}

// Tables over 4 MiB take the path that prefetches rows ahead of the update (each thread's chunk of
// rows): every batch row must still step by the rule, and no other row move.
TEST(AdamWTest, RowWiseSparseOnATableLargerThanTheCacheStepsEveryBatchRowByHand) {
  torch::manual_seed(5);
  const int64_t rows = 40000, width = 32;  // 5.1 MB
  torch::nn::Embedding table(torch::nn::EmbeddingOptions(rows, width).sparse(true));
  const torch::Tensor before = table->weight.detach().clone();
  auto opt = adapt::make_optimizer("rowwise_adamw", {{{table->weight}, hp(0.1, 0.0)}});
  const torch::Tensor ids = torch::randint(rows, {1000}, torch::kLong);  // duplicates among them
  (table(ids) * torch::randn({1000, width})).sum().backward();
  const torch::Tensor grad = table->weight.grad().coalesce();
  const torch::Tensor batch_rows = grad._indices()[0], g = grad._values();
  opt->step();
  // First step, no decay: v = (1 - b2) mean(g^2), debiased back to mean(g^2).
  const torch::Tensor expected = before.index_select(0, batch_rows) - 0.1 * g / (g.square().mean(1, true).sqrt() + 1e-5);
  EXPECT_TRUE(torch::allclose(table->weight.index_select(0, batch_rows), expected, 1e-5, 1e-6));
  torch::Tensor untouched = torch::ones({rows}, torch::kBool);
  untouched.index_fill_(0, batch_rows, false);
  EXPECT_TRUE(torch::equal(table->weight.detach().index({untouched}), before.index({untouched})));
}

TEST(SGDTest, MomentumByHand) {
  auto p = torch::tensor({1.0}, torch::kDouble).requires_grad_(true);
  adapt::HyperParams h = adapt::default_hyper_params("sgd");
  h.lr = 0.1;
  h.mom = 0.9;
  adapt::SGD opt({{{p}, h}});
  const double expected[] = {0.9, 0.71, 0.439};  // b = 1, 1.9, 2.71; p -= 0.1 b
  for (double e : expected) {
    p.mutable_grad() = torch::ones({1}, torch::kDouble);
    opt.step();
    EXPECT_NEAR(p.item<double>(), e, 1e-12);
  }
  // Decoupled weight decay: p *= 1 - lr wd before the step.
  auto q = torch::tensor({2.0}, torch::kDouble).requires_grad_(true);
  h.mom = 0;
  h.wd = 0.5;
  adapt::SGD plain({{{q}, h}});
  q.mutable_grad() = torch::ones({1}, torch::kDouble);
  plain.step();
  EXPECT_NEAR(q.item<double>(), 2.0 * 0.95 - 0.1, 1e-12);
}

TEST(OptimizerTest, StateRoundTripResumesExactly) {
  torch::manual_seed(3);
  auto init = torch::randn({5, 3});
  auto a = init.clone().requires_grad_(true), b = init.clone().requires_grad_(true);
  adapt::AdamW first({{{a}, hp(0.01, 0.01)}});
  std::vector<torch::Tensor> grads;
  for (int i = 0; i < 3; ++i) grads.push_back(torch::randn({5, 3}));
  for (int i = 0; i < 2; ++i) {
    a.mutable_grad() = grads[i];
    first.step();
  }
  // Save through a torch archive (what checkpoints use), restore into a fresh optimizer.
  torch::serialize::OutputArchive out;
  first.save(out);
  std::stringstream buffer;
  out.save_to(buffer);
  torch::serialize::InputArchive in;
  in.load_from(buffer);
  b.set_data(a.detach().clone());
  adapt::AdamW second({{{b}, hp(0.5, 0.5)}});  // hyper-parameters come back from the state
  second.load(in);
  EXPECT_DOUBLE_EQ(second.group(0).hp.lr, 0.01);
  a.mutable_grad() = grads[2];
  b.mutable_grad() = grads[2];
  first.step();
  second.step();
  EXPECT_TRUE(torch::equal(a, b));

  auto wrong = torch::zeros({4, 3}).requires_grad_(true);
  adapt::AdamW mismatched({{{wrong}, hp(0.01, 0.01)}});
  try {
    mismatched.load_state_dict(first.state_dict());
    FAIL();
  } catch (const adapt::Error& e) {
    EXPECT_NE(std::string(e.what()).find("[5,3]"), std::string::npos) << e.what();
  }
}

TEST(OptimizerTest, GroupsLrsAndZeroGrad) {
  auto w1 = torch::ones({2, 2}).requires_grad_(true), w2 = torch::ones({2, 2}).requires_grad_(true);
  auto b2 = torch::ones({2}).requires_grad_(true);
  auto groups = adapt::split_no_decay({{w1}, {w2, b2}}, adapt::default_hyper_params("adamw"));
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(groups[2].layer_group, 1);
  auto opt = adapt::make_optimizer("adamw", groups);
  opt->set_layer_group_lrs({1e-4, 1e-2});
  EXPECT_DOUBLE_EQ(opt->group(0).hp.lr, 1e-4);
  EXPECT_DOUBLE_EQ(opt->group(1).hp.lr, 1e-2);
  EXPECT_DOUBLE_EQ(opt->group(2).hp.lr, 1e-2);
  EXPECT_THROW(opt->set_layer_group_lrs({1e-3}), adapt::Error);
  opt->set_mom(0.8);
  EXPECT_DOUBLE_EQ(opt->group(2).hp.mom, 0.8);
  w1.mutable_grad() = torch::ones({2, 2});
  opt->zero_grad(false);
  EXPECT_TRUE(torch::equal(w1.grad(), torch::zeros({2, 2})));
  opt->zero_grad();
  EXPECT_FALSE(w1.grad().defined());
  opt->step();  // no gradients: nothing moves, no error
  EXPECT_TRUE(torch::equal(w1, torch::ones({2, 2})));
  EXPECT_THROW(adapt::make_optimizer("adam2", {}), adapt::OptionError);
}

}  // namespace
