// core.ensemble: members built from one spec with their own initialisation, stacked outputs in
// training, their mean in evaluation, and each member trained on its own loss by the Learner.
#include <gtest/gtest.h>

#include "adapt/model/ensemble_model.h"
#include "core/support/learner_fixtures.h"

using namespace adapt;
using namespace adapt::testing;

namespace {

std::shared_ptr<EnsembleModel> tiny_ensemble(const TinyProblem& p, int64_t members, uint64_t init_seed) {
  torch::manual_seed(init_seed);
  ModelContext ctx{*p.blocks, p.blocks->target().block->n_outputs()};
  auto model = core_test_registry().model(
      {{"name", "core.ensemble"}, {"members", members}, {"model", {{"name", "core.mlp"}, {"layers", {8}}, {"batchnorm", false}}}},
      "model", ctx);
  return std::dynamic_pointer_cast<EnsembleModel>(model);
}

}  // namespace

TEST(EnsembleModel, StacksInTrainingAndAveragesInEvaluation) {
  auto p = tiny_problem(200, 50);
  auto ensemble = tiny_ensemble(p, 3, 5);
  ASSERT_NE(ensemble, nullptr);
  EXPECT_EQ(ensemble->members(), 3);
  EXPECT_FALSE(bit_equal(weights_of(*ensemble->member(0)), weights_of(*ensemble->member(1))));  // own initialisation
  // The first member is what the spec alone would have built from the same seed.
  EXPECT_TRUE(bit_equal(weights_of(*ensemble->member(0)), weights_of(*tiny_mlp(p, {8}, false, 0.0, 5))));

  auto loaders = tiny_loaders(p, 16, /*shuffle=*/false);
  auto batch = *loaders.valid->next();
  ensemble->train();
  const int64_t n = batch.at("y").size(0);
  EXPECT_EQ(ensemble->forward(batch).sizes(), (std::vector<int64_t>{3, n, 2}));
  ensemble->eval();
  torch::NoGradGuard no_grad;
  auto mean = (ensemble->member(0)->forward(batch) + ensemble->member(1)->forward(batch) +
               ensemble->member(2)->forward(batch)) / 3.0;
  EXPECT_TRUE(torch::allclose(ensemble->forward(batch), mean, 1e-6, 1e-6));
  EXPECT_EQ(ensemble->layer_groups().size(), tiny_mlp(p, {8})->layer_groups().size());
}

TEST(EnsembleModel, EachMemberLearnsFromItsOwnLoss) {
  // SGD's step is linear in the gradient. Each of 2 members gets half its own loss's gradient, so
  // member 0 must follow exactly the path of the same model trained alone at half the learning rate.
  // Trained on the ensemble's averaged output instead, its gradient would depend on member 1.
  auto p = tiny_problem(320, 64);
  auto ensemble = tiny_ensemble(p, 2, 5);
  auto alone = tiny_mlp(p, {8}, false, 0.0, 5);
  const auto initial = weights_of(*alone);
  const auto sgd = LearnerOptions().optimizer("sgd").wd(0.0);
  tiny_learner(p, ensemble, tiny_loaders(p, 32, /*shuffle=*/false), sgd)->fit(2, 0.1);
  tiny_learner(p, alone, tiny_loaders(p, 32, /*shuffle=*/false), sgd)->fit(2, 0.05);
  auto member = weights_of(*ensemble->member(0)), single = weights_of(*alone);
  ASSERT_EQ(member.size(), single.size());
  for (size_t i = 0; i < member.size(); ++i)
    EXPECT_LT((member[i] - single[i]).abs().max().item<double>(), 1e-5) << "tensor " << i;
  EXPECT_FALSE(bit_equal(single, initial));  // training moved the weights
  EXPECT_FALSE(bit_equal(member, weights_of(*ensemble->member(1))));
}

TEST(EnsembleModel, OptionErrorsNameTheField) {
  auto p = tiny_problem(100, 20);
  ModelContext ctx{*p.blocks, 2};
  try {
    core_test_registry().model({{"name", "core.ensemble"}, {"members", 3}}, "model", ctx);
    FAIL() << "no member spec accepted";
  } catch (const OptionError& e) {
    EXPECT_NE(std::string(e.what()).find("model.model"), std::string::npos) << e.what();
  }
  EXPECT_THROW(core_test_registry().model({{"name", "core.ensemble"}, {"members", 1}, {"model", {{"name", "core.mlp"}}}},
                                          "model", ctx),
               OptionError);
  EXPECT_THROW(core_test_registry().model({{"name", "core.ensemble"}, {"model", {{"name", "core.nope"}}}}, "model", ctx),
               Error);
}
