// core.fusion: branches that each read their own input, combined (concat, gated, attention) under one
// head; a learned vector for a missing input; per-branch learning rates and freezing; and errors
// that name the JSON path. The data is XOR of two inputs: each alone is at chance, together they
// decide the label.
#include <gtest/gtest.h>

#include <random>
#include <sstream>

#include "adapt/data/modality_dropout.h"
#include "adapt/model/fusion_model.h"
#include "adapt/model/mlp_model.h"
#include "adapt/recipe/recipe.h"
#include "adapt/run/stages.h"
#include "adapt/run/train_recipe.h"
#include "core/support/learner_fixtures.h"
#include "support/expect_error.h"

using namespace adapt;
using namespace adapt::testing;

namespace {

std::string xor_csv(size_t rows) {
  std::mt19937 gen(7);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  std::ostringstream csv;
  csv << "a,a_noise,b,b_noise,label\n";
  for (size_t i = 0; i < rows; ++i) {
    const double a = u(gen), an = u(gen), b = u(gen), bn = u(gen);
    csv << a << "," << an << "," << b << "," << bn << "," << ((a > 0) != (b > 0) ? "differ" : "agree") << "\n";
  }
  return csv.str();
}

json branch(const std::string& input) {
  return {{"encoder", {{"name", "core.mlp"}, {"input", input}, {"layers", {16}}, {"batchnorm", false}}}};
}

json xor_recipe(const std::filesystem::path& dir, json model, int64_t epochs = 20) {
  write_file(dir / "xor.csv", xor_csv(1000));
  return {
      {"seed", 42},
      {"reader", {{"name", "core.csv"}, {"path", (dir / "xor.csv").string()}}},
      {"splitter", {{"name", "core.random"}, {"valid_pct", 0.2}}},
      {"inputs", json::array({{{"name", "core.regression"}, {"columns", {"a", "a_noise"}}, {"key", "a"}},
                              {{"name", "core.regression"}, {"columns", {"b", "b_noise"}}, {"key", "b"}}})},
      {"target", {{"name", "core.category"}, {"column", "label"}}},
      {"loader", {{"batch_size", 32}, {"workers", 0}}},
      {"model", model},
      {"metrics", {"core.accuracy"}},
      {"train", {{"schedule", "one_cycle"}, {"epochs", epochs}, {"lr", 1e-2}}},
  };
}

json fusion(const std::string& combiner) {
  return {{"name", "core.fusion"}, {"combiner", combiner}, {"width", 16}, {"head", {32}}, {"dropout", 0.0},
          {"branches", {{"left", branch("a")}, {"right", branch("b")}}}};
}

RunResult quiet_run(const json& recipe) {
  std::ostringstream out;
  return train_recipe(recipe, quiet(out), core_test_registry());
}

double valid_accuracy(const json& recipe) { return quiet_run(recipe).metrics["valid"]["accuracy"].get<double>(); }

}  // namespace

TEST(FusionModel, EveryCombinerLearnsWhatNoBranchKnowsAlone) {
  TempDir dir("fusion_xor");
  // One input alone: at chance.
  json alone = xor_recipe(dir.path, {{"name", "core.mlp"}, {"input", "a"}, {"layers", {16}}});
  EXPECT_LT(valid_accuracy(alone), 0.65);
  for (const char* combiner : {"concat", "gated", "attention"})
    EXPECT_GT(valid_accuracy(xor_recipe(dir.path, fusion(combiner))), 0.85) << combiner;
}

TEST(FusionModel, AMissingInputIsReplacedByItsLearnedVector) {
  TempDir dir("fusion_missing");
  RunResult run = quiet_run(xor_recipe(dir.path, fusion("concat"), 1));
  auto model = std::dynamic_pointer_cast<FusionModel>(run.learner->model_ptr());
  ASSERT_NE(model, nullptr);
  model->eval();
  torch::NoGradGuard no_grad;
  Batch batch{{"a", torch::randn({4, 2})}, {"b", torch::randn({4, 2})}};
  Batch other = batch;
  other["a"] = torch::randn({4, 2}) * 10;
  batch["a.missing"] = other["a.missing"] = torch::tensor({true, true, false, false});
  auto x = model->forward(batch), y = model->forward(other);
  EXPECT_TRUE(torch::allclose(x.narrow(0, 0, 2), y.narrow(0, 0, 2)));   // missing: input ignored
  EXPECT_FALSE(torch::allclose(x.narrow(0, 2, 2), y.narrow(0, 2, 2)));  // present: input used
}

TEST(FusionModel, BranchesTakeTheirOwnLearningRateAndCanBeFrozen) {
  TempDir dir("fusion_lr");
  json model = fusion("concat");
  model["branches"]["left"]["lr_mult"] = 0.25;
  model["branches"]["right"]["freeze"] = true;
  RunResult run = quiet_run(xor_recipe(dir.path, model, 1));
  auto fused = std::dynamic_pointer_cast<FusionModel>(run.learner->model_ptr());
  ASSERT_NE(fused, nullptr);
  // core.mlp [16] has 2 groups, its encoder 1: left's encoder group, then the fusion's own group.
  EXPECT_EQ(fused->lr_multipliers(), (std::vector<double>{0.25, 1.0}));
  EXPECT_EQ(fused->layer_groups().size(), 2u);
  for (const auto& p : fused->branches()[1].encoder->parameters()) EXPECT_FALSE(p.requires_grad());
  // The branches' own heads are not trained either.
  auto left = std::dynamic_pointer_cast<MlpModel>(fused->branches()[0].encoder);
  ASSERT_NE(left, nullptr);
  const auto left_groups = left->layer_groups();
  for (const auto& p : left_groups.back()) EXPECT_FALSE(p.requires_grad());
}

// A phase's freeze_to per branch: {"left": 1} trains left's top group only; {"left": 2} none of it.
TEST(FusionModel, EachBranchUnfreezesOnItsOwnSchedule) {
  TempDir dir("fusion_unfreeze");
  json model = fusion("concat");
  model["branches"]["left"]["encoder"]["layers"] = {16, 16};  // encoder groups: 2
  json recipe = xor_recipe(dir.path, model, 1);
  recipe["train"] = {{"phases", {{{"epochs", 1}, {"lr", 1e-2}, {"freeze_to", {{"left", 2}}}},
                                 {{"epochs", 1}, {"lr", 1e-2}, {"freeze_to", {{"left", -1}, {"right", 1}}}}}}};
  std::ostringstream out;
  RunContext ctx(quiet(out));
  RunState state = resolve_defaults(recipe, core_test_registry(), ctx);
  read_and_split(state, core_test_registry(), ctx);
  setup_blocks(state, core_test_registry(), ctx);
  build_learner(state, core_test_registry(), ctx);
  auto fused = std::dynamic_pointer_cast<FusionModel>(state.model);
  ASSERT_NE(fused, nullptr);
  EXPECT_EQ(fused->layer_group_branches(), (std::vector<std::string>{"left", "left", "right", ""}));
  auto snapshot = [&] {
    std::vector<torch::Tensor> groups;
    for (const auto& group : fused->layer_groups()) {
      std::vector<torch::Tensor> flat;
      for (const auto& p : group) flat.push_back(p.detach().flatten().clone());
      groups.push_back(torch::cat(flat));
    }
    return groups;
  };
  const auto before = snapshot();
  state.plan.phases.resize(1);
  fit_phases(state, ctx);
  const auto after_first = snapshot();
  EXPECT_TRUE(torch::equal(before[0], after_first[0]));   // left: wholly frozen
  EXPECT_TRUE(torch::equal(before[1], after_first[1]));
  EXPECT_FALSE(torch::equal(before[2], after_first[2]));  // right and the head train
  EXPECT_FALSE(torch::equal(before[3], after_first[3]));
  EXPECT_NE(out.str().find("freeze_to {\"left\":2}"), std::string::npos) << out.str();

  state.plan = parse_train_section(recipe["train"]);
  state.plan.phases.erase(state.plan.phases.begin());
  fit_phases(state, ctx);
  const auto after_second = snapshot();
  EXPECT_TRUE(torch::equal(after_first[0], after_second[0]));   // left's bottom group still frozen
  EXPECT_FALSE(torch::equal(after_first[1], after_second[1]));  // its top group trains now
  EXPECT_TRUE(torch::equal(after_first[2], after_second[2]));   // right: its one group frozen

  json bad = recipe;
  bad["train"]["phases"][0]["freeze_to"] = {{"middle", 1}};
  EXPECT_THROW_WITH(quiet_run(bad), OptionError, "train.phases[0].freeze_to.middle", "no branch \"middle\"");
  bad["train"]["phases"][0]["freeze_to"] = {{"left", 3}};
  EXPECT_THROW_WITH(quiet_run(bad), OptionError, "train.phases[0].freeze_to.left", "2 layer groups");
  bad["train"]["phases"][0]["freeze_to"] = {{"left", "top"}};
  EXPECT_THROW_WITH(quiet_run(bad), OptionError, "train.phases[0].freeze_to", "{\"text\": -1}");
}

TEST(FusionModel, BadBranchesAreNamedByTheirJsonPath) {
  TempDir dir("fusion_bad");
  auto run = [&](json model) { return valid_accuracy(xor_recipe(dir.path, model, 1)); };
  json unknown = fusion("concat");
  unknown["branches"]["left"]["encoder"]["input"] = "nope";
  EXPECT_THROW_WITH(run(unknown), OptionError, "model.branches.left.encoder.input", "\"nope\"", "a b");
  json twice = fusion("concat");
  twice["branches"]["right"]["encoder"]["input"] = "a";
  EXPECT_THROW_WITH(run(twice), OptionError, "model.branches.", "already read by branch");
  json one = fusion("concat");
  one["branches"].erase("right");
  EXPECT_THROW_WITH(run(one), OptionError, "model.branches", "at least two");
  json bad_option = fusion("concat");
  bad_option["branches"]["left"]["encoder"]["layerz"] = json::array({4});
  EXPECT_THROW_WITH(run(bad_option), OptionError, "model.branches.left.encoder", "layerz");
  json bad_key = fusion("concat");
  bad_key["branches"]["left"]["lr"] = 0.1;
  EXPECT_THROW_WITH(run(bad_key), OptionError, "model.branches.left.lr", "lr_mult");
  json bad_init = fusion("concat");
  bad_init["branches"]["left"]["init_from"] = {{"file", 3}};
  EXPECT_THROW_WITH(run(bad_init), OptionError, "model.branches.left.init_from");
}

TEST(ModalityDropout, MarksInputsMissingButNeverAllOfARow) {
  ModalityDropout dropout(0.3, {"a", "b"});
  Batch batch{{"a", torch::zeros({500, 2})}, {"b", torch::zeros({500, 2})}};
  batch["b.missing"] = torch::zeros({500}, torch::kBool);
  batch["b.missing"][0] = true;  // a block marked it: it stays missing
  Rng rng(3);
  dropout.apply(batch, rng);
  auto a = batch.at("a.missing"), b = batch.at("b.missing");
  EXPECT_TRUE(b[0].item<bool>());
  EXPECT_FALSE((a & b).any().item<bool>());
  // One of the two dropped: 2 x 0.3 x 0.7 = 42% of the rows (both dropped, 9%, keep both).
  EXPECT_NEAR(static_cast<double>(a.sum().item<int64_t>() + b.sum().item<int64_t>()), 210.0, 50.0);
}
