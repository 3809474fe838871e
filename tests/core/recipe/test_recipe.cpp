#include <gtest/gtest.h>

#include <sstream>

#include "adapt/run/data_warnings.h"
#include "adapt/run/train_recipe.h"
#include "core/support/learner_fixtures.h"
#include "support/expect_error.h"

using namespace adapt;
using namespace adapt::testing;

namespace {

json base_recipe() {
  return {
      {"reader", {{"name", "core.csv"}, {"path", "data.csv"}}},
      {"inputs", json::array({{{"name", "core.regression"}, {"columns", {"a", "b"}}}})},
      {"target", {{"name", "core.category"}, {"column", "label"}}},
      {"model", {{"name", "core.mlp"}, {"layers", {64, 32}}}},
      {"train", {{"epochs", 2}}},
  };
}

// The OptionError message of validating `recipe`, or "" when it validates.
std::string validation_error(const json& recipe) {
  try {
    validate_recipe(recipe, core_test_registry());
  } catch (const OptionError& e) {
    return e.what();
  }
  return "";
}

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace

TEST(Recipe, ValidRecipeValidates) { EXPECT_EQ(validation_error(base_recipe()), ""); }

TEST(Recipe, ErrorsStartWithTheJsonPath) {
  json r = base_recipe();
  r["model"]["layers"] = {64, -3};
  EXPECT_EQ(validation_error(r), "model.layers[1]: must be > 0, got -3");

  r = base_recipe();
  r["colour"] = "blue";
  EXPECT_TRUE(starts_with(validation_error(r), "colour: unknown section")) << validation_error(r);

  r = base_recipe();
  r.erase("model");
  EXPECT_TRUE(starts_with(validation_error(r), "model: missing")) << validation_error(r);

  r = base_recipe();
  r["model"]["name"] = "core.transformer9000";
  EXPECT_TRUE(starts_with(validation_error(r), "model")) << validation_error(r);
  EXPECT_NE(validation_error(r).find("core.mlp"), std::string::npos) << "lists what exists: " << validation_error(r);

  r = base_recipe();
  r["inputs"][0]["colums"] = {"a"};
  EXPECT_TRUE(starts_with(validation_error(r), "inputs[0]")) << validation_error(r);

  r = base_recipe();
  r["train"] = {{"lr", 1e-3}};
  EXPECT_TRUE(starts_with(validation_error(r), "train.epochs")) << validation_error(r);

  r = base_recipe();
  r["train"] = {{"phases", {{{"epochs", 1}}, {{"epochs", 1}, {"lr", {1e-2, 1e-4}}}}}};
  EXPECT_TRUE(starts_with(validation_error(r), "train.phases[1].lr")) << validation_error(r);

  r = base_recipe();
  r["train"]["schedule"] = "triangular";
  EXPECT_TRUE(starts_with(validation_error(r), "train.schedule")) << validation_error(r);

  r = base_recipe();
  r["train"]["early_stopping"] = {{"patience", 0}};
  EXPECT_TRUE(starts_with(validation_error(r), "train.early_stopping.patience")) << validation_error(r);

  r = base_recipe();
  r["loader"] = {{"batch_size", 0}};
  EXPECT_TRUE(starts_with(validation_error(r), "loader.batch_size")) << validation_error(r);

  r = base_recipe();
  r["metrics"] = {"core.accuracy", {{"name", "core.nope"}}};
  EXPECT_TRUE(starts_with(validation_error(r), "metrics[1]")) << validation_error(r);

  r = base_recipe();
  r["inputs"][0]["key"] = "y";
  EXPECT_TRUE(starts_with(validation_error(r), "target.key")) << validation_error(r);

  r = base_recipe();
  r["model"]["init_from"] = {{"file", "lm.adapt"}, {"layer", "encoder"}};
  EXPECT_TRUE(starts_with(validation_error(r), "model.init_from.layer")) << validation_error(r);

  r = base_recipe();
  r["seed"] = -1;
  EXPECT_TRUE(starts_with(validation_error(r), "seed")) << validation_error(r);
}

TEST(Recipe, TrainSectionDefaults) {
  TrainPlan plan = parse_train_section({{"epochs", 3}, {"lr", {1e-4, 1e-2}}});
  ASSERT_EQ(plan.phases.size(), 1u);
  EXPECT_EQ(plan.phases[0].schedule, "one_cycle");
  EXPECT_EQ(plan.optimizer, "adamw");
  EXPECT_DOUBLE_EQ(plan.wd, 0.01);
  EXPECT_DOUBLE_EQ(plan.phases[0].one_cycle.div, 25.0);
  EXPECT_DOUBLE_EQ(plan.phases[0].one_cycle.pct_start, 0.25);
  EXPECT_FALSE(plan.phases[0].freeze_to.has_value());
  plan = parse_train_section({{"phases", {{{"epochs", 1}, {"freeze_to", -1}}, {{"epochs", 2}, {"schedule", "flat"}}}}});
  ASSERT_EQ(plan.phases.size(), 2u);
  EXPECT_EQ(*plan.phases[0].freeze_to, -1);
  EXPECT_EQ(plan.phases[1].schedule, "flat");
  EXPECT_THROW(parse_train_section({{"epochs", 1}, {"phases", {{{"epochs", 1}}}}}), OptionError);
}

// Every optimizer the train section accepts must also train (its defaults and its factory agree).
TEST(Recipe, EveryOptimizerChoiceTrains) {
  for (const char* optimizer : {"adamw", "rowwise_adamw", "sgd"}) {
    TempDir dir(std::string("recipe_opt_") + optimizer);
    json recipe = rings_recipe(dir.path, 200, 1);
    recipe["train"]["optimizer"] = optimizer;
    recipe.erase("baselines");
    std::ostringstream out;
    RunResult run = train_recipe(recipe, quiet(out), core_test_registry());
    EXPECT_TRUE(run.metrics["valid"].contains("accuracy")) << optimizer;
  }
}

// Refit: settings chosen with a validation part, then trained on train+valid (valid_pct 0) and
// scored on the same test rows alone.
TEST(Recipe, RefitWithoutValidationScoresTheTestPartOnly) {
  TempDir dir("recipe_refit");
  json recipe = rings_recipe(dir.path, 300, 2);
  recipe["splitter"] = {{"name", "core.random"}, {"valid_pct", 0.0}, {"test_pct", 0.2}};
  std::ostringstream out;
  const RunOptions options = quiet(out);
  RunResult run = train_recipe(recipe, options, core_test_registry());
  EXPECT_FALSE(run.metrics.contains("valid"));
  EXPECT_GT(run.metrics["test"]["accuracy"].get<double>(), 0.5) << out.str();
  EXPECT_TRUE(run.baselines["core.logistic"].contains("test"));
  EXPECT_FALSE(run.baselines["core.logistic"].contains("valid"));
  EXPECT_NE(out.str().find("top losses (test)"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("train 240, valid 0, test 60"), std::string::npos) << out.str();

  // Early stopping watches the validation loss: without a validation part it is an error.
  recipe["train"]["early_stopping"] = {{"patience", 2}};
  auto error_of = [&](const json& r) -> std::string {
    try {
      train_recipe(r, options, core_test_registry());
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_NE(error_of(recipe).find("early_stopping and save_best watch the validation split, which is empty"),
            std::string::npos);
  // Nothing to score at all.
  recipe["train"].erase("early_stopping");
  recipe["splitter"] = {{"name", "core.random"}, {"valid_pct", 0.0}};
  EXPECT_NE(error_of(recipe).find("validation and test splits are both empty"), std::string::npos);
}

TEST(Recipe, LoadRecipeResolvesRelativePathsAndReportsJsonErrors) {
  TempDir dir("recipe_load");
  write_file(dir.path / "r.json", base_recipe().dump());
  json r = load_recipe(dir.path / "r.json");
  EXPECT_EQ(r["reader"]["path"], (dir.path / "data.csv").string());
  write_file(dir.path / "bad.json", "{\"seed\": 1,\n \"reader\": }");
  try {
    load_recipe(dir.path / "bad.json");
    FAIL();
  } catch (const OptionError& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("bad.json"), std::string::npos) << m;
    EXPECT_NE(m.find("line 2"), std::string::npos) << m;
  }
  // A directory used to fail with libstdc++'s "basic_filebuf::underflow".
  EXPECT_THROW_WITH(load_recipe(dir.path), OptionError, "recipe " + dir.path.string(), "is a directory");
  EXPECT_THROW_WITH(load_recipe(dir.path / "absent.json"), OptionError, "absent.json", "does not exist");
}

// Found by fuzz/recipe_fuzzer: a number beyond double's range is a json::out_of_range, not a
// parse_error, and escaped load_recipe without the file's name.
TEST(Recipe, LoadRecipeNamesTheFileForANumberOutOfRange) {
  TempDir dir("recipe_overflow");
  write_file(dir.path / "huge.json", "{\"seed\": 1e999, \"reader\": {\"name\": \"core.csv\", \"path\": \"d.csv\"}}");
  EXPECT_THROW_WITH(load_recipe(dir.path / "huge.json"), OptionError, "recipe " + (dir.path / "huge.json").string(),
                    "not valid JSON", "1e999");
}

TEST(Recipe, DataWarnings) {
  auto& registry = core_test_registry();
  Records records({"a", "label"}, "warn");
  // 90 "a" rows, 10 "b" rows in train (imbalanced 90%), "c" only in valid, and a duplicated input.
  for (int i = 0; i < 100; ++i) records.add_row({std::to_string(i), i < 90 ? "a" : "b"});
  records.add_row({"5", "a"});    // row 100: same input as train row 5
  records.add_row({"1000", "c"});  // row 101: unseen label
  SplitIndices split;
  for (size_t i = 0; i < 100; ++i) split.train.push_back(i);
  split.valid = {100, 101};
  std::vector<BoundBlock> inputs{{"x", registry.block({{"name", "core.regression"}, {"columns", {"a"}}}, "inputs[0]")}};
  DataBlocks blocks(inputs, {"y", registry.block({{"name", "core.category"}, {"column", "label"}, {"unseen", "unknown"}}, "target")});
  blocks.setup(records.subset(split.train));
  auto warnings = data_warnings(records, split, blocks);
  auto has = [&](const std::string& text) {
    for (const auto& w : warnings)
      if (w.find(text) != std::string::npos) return true;
    return false;
  };
  EXPECT_TRUE(has("heavily imbalanced labels: \"a\" is 90.0%"));
  EXPECT_TRUE(has("labels seen only in validation: \"c\""));
  EXPECT_TRUE(has("leakage: 1 of 2 validation rows"));
  EXPECT_FALSE(has("tiny training set"));  // exactly 100 rows
  EXPECT_FALSE(has("fewer than 10 training rows"));  // "b" has 10

  EXPECT_EQ(data_hash(records), data_hash(records));
  Records changed = records;
  changed.add_row({"1", "a"});
  EXPECT_NE(data_hash(records), data_hash(changed));
}
