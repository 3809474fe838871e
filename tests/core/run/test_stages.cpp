// train_recipe's stages one at a time (run/stages.h): each does its one job on the RunState and can
// be checked alone, and run in order they give what train_recipe gives.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "adapt/run/stages.h"
#include "core/support/learner_fixtures.h"
#include "support/expect_error.h"

using namespace adapt;
using namespace adapt::testing;

TEST(Stages, ResolveDefaultsSettlesSeedSplitterAndLoader) {
  TempDir dir("stages_defaults");
  std::ostringstream out;
  RunContext ctx(quiet(out));
  json recipe = rings_recipe(dir.path, 300, 2);
  recipe.erase("splitter");
  recipe["seed"] = 7;
  RunState state = resolve_defaults(recipe, core_test_registry(), ctx);
  EXPECT_EQ(state.seed, 7u);
  EXPECT_EQ(state.recipe["splitter"]["name"], "core.random");
  EXPECT_EQ(state.recipe["splitter"]["seed"], 7);  // a seeded splitter follows the recipe's seed
  EXPECT_EQ(state.loader.batch_size(), 64);
  EXPECT_EQ(state.train_loader.batch_size(), 64);  // one process: the whole global batch
  EXPECT_EQ(state.valid_batch_size, 128);
  EXPECT_EQ(state.plan.phases.size(), 1u);
  EXPECT_EQ(state.filled["loader"]["valid_batch_size"], 128);
  EXPECT_TRUE(state.filled["model"].contains("dropout"));  // every component's defaults are filled
  EXPECT_TRUE(out.str().empty());  // nothing is printed before the data is read
}

TEST(Stages, ReadSplitAndSetupBlocksUseTheTrainingRowsOnly) {
  TempDir dir("stages_data");
  std::ostringstream out;
  RunContext ctx(quiet(out));
  RunState state = resolve_defaults(rings_recipe(dir.path, 500, 2), core_test_registry(), ctx);
  read_and_split(state, core_test_registry(), ctx);
  ASSERT_EQ(state.records->size(), 500u);
  EXPECT_EQ(state.split.train.size() + state.split.valid.size(), 500u);
  EXPECT_EQ(state.split.valid.size(), 100u);
  EXPECT_EQ(state.data_hash.rfind("fnv1a64:", 0), 0u);
  EXPECT_NE(out.str().find("data: 500 records"), std::string::npos) << out.str();
  EXPECT_FALSE(state.blocks);
  setup_blocks(state, core_test_registry(), ctx);
  ASSERT_TRUE(state.blocks);
  EXPECT_EQ(state.blocks->inputs().size(), 1u);
  EXPECT_FALSE(state.learner);  // no model yet
}

TEST(Stages, ReadAndSplitRefusesARunWithNothingToScore) {
  TempDir dir("stages_empty");
  std::ostringstream out;
  RunContext ctx(quiet(out));
  json recipe = rings_recipe(dir.path, 300, 1);
  recipe["splitter"] = {{"name", "core.random"}, {"valid_pct", 0.0}, {"test_pct", 0.0}};
  RunState state = resolve_defaults(recipe, core_test_registry(), ctx);
  EXPECT_THROW_WITH(read_and_split(state, core_test_registry(), ctx), DataError, "splitter", "both empty");
}

// It used to train with loss 0 and report accuracy 0.30 beside a confusion matrix of all-correct rows.
TEST(Stages, SetupBlocksRefusesASingleClassTarget) {
  TempDir dir("stages_one_class");
  std::ostringstream out;
  RunContext ctx(quiet(out));
  std::ofstream(dir.path / "one.csv") << "x1,label\n0.1,yes\n0.4,yes\n0.2,yes\n0.9,yes\n0.3,yes\n0.6,yes\n";
  json recipe = {{"reader", {{"name", "core.csv"}, {"path", (dir.path / "one.csv").string()}}},
                 {"splitter", {{"name", "core.random"}, {"valid_pct", 0.34}}},
                 {"inputs", {{{"name", "core.regression"}, {"columns", {"x1"}}}}},
                 {"target", {{"name", "core.category"}, {"column", "label"}}},
                 {"model", {{"name", "core.mlp"}, {"layers", {4}}}},
                 {"train", {{"epochs", 1}}}};
  RunState state = resolve_defaults(recipe, core_test_registry(), ctx);
  read_and_split(state, core_test_registry(), ctx);
  EXPECT_THROW_WITH(setup_blocks(state, core_test_registry(), ctx), DataError, "one class only", "\"yes\"",
                    "\"label\"");
}

// It used to pass validation and be OOM-killed after 56 s at 23.5 GB.
TEST(Stages, AModelTooLargeForTheMachineIsRefusedBeforeAllocation) {
  TempDir dir("stages_huge");
  std::ostringstream out;
  RunContext ctx(quiet(out));
  json recipe = rings_recipe(dir.path, 200, 1);
  recipe["model"]["layers"] = {1000000000};
  RunState state = resolve_defaults(recipe, core_test_registry(), ctx);
  read_and_split(state, core_test_registry(), ctx);
  setup_blocks(state, core_test_registry(), ctx);
  EXPECT_THROW_WITH(build_learner(state, core_test_registry(), ctx), OptionError, "model.layers", "parameters",
                    "ADAPT_MAX_MODEL_BYTES");
}

TEST(Stages, InOrderTheyGiveWhatTrainRecipeGives) {
  TempDir dir("stages_order");
  const json recipe = rings_recipe(dir.path, 400, 2);
  std::ostringstream out_a, out_b;
  RunResult whole = train_recipe(recipe, quiet(out_a), core_test_registry());

  RunContext ctx(quiet(out_b));
  RunState state = resolve_defaults(recipe, core_test_registry(), ctx);
  read_and_split(state, core_test_registry(), ctx);
  setup_blocks(state, core_test_registry(), ctx);
  build_learner(state, core_test_registry(), ctx);
  fit_phases(state, ctx);
  EXPECT_TRUE(state.result.metrics.is_null());  // not evaluated yet
  evaluate(state, core_test_registry(), ctx);
  interpret(state, ctx);
  export_and_record(state, core_test_registry(), ctx);  // writes nothing without a run directory
  EXPECT_EQ(state.result.metrics, whole.metrics);
  EXPECT_EQ(state.result.baselines, whole.baselines);
  EXPECT_EQ(state.verdicts.size(), 3u);  // the headline, then one line each for constant and core.logistic
  EXPECT_TRUE(state.interpretation.contains("confusion_matrix"));
  EXPECT_TRUE(state.result.model_file.empty());
}
