// Honest evaluation in every run: the test part stays sealed while settings are chosen on valid, a
// final run scores it and the ledger counts each scoring; every run has the constant baseline, and the
// verdict judges on the primary metric (MCC when labels are imbalanced) and on every other metric.
#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <sstream>

#include "adapt/baseline/core_baselines.h"
#include "adapt/export/export.h"
#include "adapt/run/sanity.h"
#include "adapt/run/test_ledger.h"
#include "adapt/run/train_recipe.h"
#include "core/support/learner_fixtures.h"
#include "support/temp_dir.h"

namespace honest_evaluation_test {

using namespace adapt;
using namespace adapt::testing;
namespace fs = std::filesystem;

json read_json(const fs::path& file) {
  std::ifstream in(file);
  return json::parse(in);
}

// A run that logs into `out` and writes its files into `run_dir`.
RunOptions writing_run(std::ostream& out, const fs::path& run_dir) {
  RunOptions options = quiet(out);
  options.out_dir = run_dir;
  options.write_files = true;
  return options;
}

json tuning_recipe(const fs::path& dir) {
  json recipe = rings_recipe(dir, 600, 2);
  recipe["splitter"] = {{"name", "core.random"}, {"valid_pct", 0.2}, {"test_pct", 0.2}};
  return recipe;
}

// A 92% / 8% label set by a threshold on x1: a network and logistic regression learn it, the constant
// cannot.
json imbalanced_recipe(const fs::path& dir) {
  std::mt19937_64 engine(5);
  std::normal_distribution<double> normal;
  std::ostringstream csv;
  csv << "x1,x2,label\n";
  for (int i = 0; i < 1500; ++i) {
    const double a = normal(engine), b = normal(engine);
    csv << a << "," << b << "," << (a > 1.4 ? "rare" : "common") << "\n";
  }
  write_file(dir / "imbalanced.csv", csv.str());
  json recipe = rings_recipe(dir, 10, 4);
  recipe["reader"]["path"] = (dir / "imbalanced.csv").string();
  recipe["inputs"][0]["columns"] = {"x1", "x2"};
  recipe.erase("metrics");
  return recipe;
}

TEST(SealedTest, ATuningRunLeavesNoTestScoreInItsOutputOrFiles) {
  TempDir dir("sealed_tuning");
  std::ostringstream out;
  RunOptions options = writing_run(out, dir.path / "run");
  options.test_ledger = dir.path / "ledger.json";
  RunResult run = train_recipe(tuning_recipe(dir.path), options, core_test_registry());

  EXPECT_TRUE(run.metrics.contains("valid"));
  EXPECT_FALSE(run.metrics.contains("test"));
  for (const auto& [name, entry] : run.baselines.items()) EXPECT_FALSE(entry.contains("test")) << name;
  EXPECT_EQ(run.test_part["sealed"], true);
  EXPECT_EQ(run.test_part["rows"], 120);
  EXPECT_NE(out.str().find("test part sealed: 120 rows"), std::string::npos) << out.str();
  EXPECT_EQ(out.str().find("(test)"), std::string::npos) << out.str();  // no interpretation of test either
  std::istringstream lines(out.str());
  for (std::string line; std::getline(lines, line);) EXPECT_EQ(line.find(" test  "), std::string::npos) << line;

  const json record = read_json(options.out_dir / "run.json");
  const json metrics = read_json(options.out_dir / "metrics.json");
  for (const json* j : {&record, &metrics}) {
    EXPECT_FALSE((*j)["metrics"].contains("test"));
    for (const auto& [name, entry] : (*j)["baselines"].items()) EXPECT_FALSE(entry.contains("test")) << name;
  }
  EXPECT_EQ(record["data"]["split"]["test"], 120);  // the rows are known, their scores are not
  std::ifstream split(options.out_dir / "split.csv");
  size_t test_rows = 0;
  for (std::string line; std::getline(split, line);) test_rows += line.size() > 5 && line.substr(line.size() - 5) == ",test";
  EXPECT_EQ(test_rows, 120u);
  EXPECT_FALSE(fs::exists(options.test_ledger));  // nothing scored, nothing counted
}

TEST(SealedTest, AFinalRunScoresTheTestPartAndTheLedgerCountsEveryScoring) {
  TempDir dir("sealed_final");
  const json recipe = tuning_recipe(dir.path);
  std::ostringstream first_out, second_out;
  RunOptions options = quiet(first_out);
  options.final_run = true;
  options.test_ledger = dir.path / "ledger.json";
  RunResult first = train_recipe(recipe, options, core_test_registry());
  EXPECT_TRUE(first.metrics.contains("test"));
  EXPECT_TRUE(first.baselines["core.logistic"].contains("test"));
  EXPECT_EQ(first.test_part["scored"], 1);
  EXPECT_NE(first_out.str().find("test part scored 1 time, this run included"), std::string::npos) << first_out.str();
  EXPECT_EQ(first_out.str().find("no longer an unbiased estimate"), std::string::npos);

  options.out = &second_out;
  RunResult second = train_recipe(recipe, options, core_test_registry());
  EXPECT_EQ(second.test_part["scored"], 2);
  EXPECT_NE(second_out.str().find("warning: this test part has now been scored 2 times"), std::string::npos)
      << second_out.str();
  EXPECT_EQ(TestLedger(options.test_ledger).count(test_part_key("nothing", {1, 2})), 0);
}

TEST(TestLedger, CountsPerTestPartAndLeavesACorruptFileAlone) {
  TempDir dir("ledger");
  TestLedger ledger(dir.path / "cache" / "ledger.json");
  const std::string a = test_part_key("fnv1a64:00", {3, 1, 2}), b = test_part_key("fnv1a64:00", {1, 2});
  EXPECT_EQ(a, test_part_key("fnv1a64:00", {1, 2, 3}));  // the rows, not their order
  EXPECT_NE(a, b);
  EXPECT_EQ(ledger.count(a), 0);
  EXPECT_EQ(ledger.record(a, "x.csv"), 1);
  EXPECT_EQ(ledger.record(a, "x.csv"), 2);
  EXPECT_EQ(ledger.record(b, "x.csv"), 1);
  EXPECT_EQ(TestLedger(ledger.file()).count(a), 2);

  write_file(ledger.file(), "[1, 2");
  try {
    ledger.record(a, "x.csv");
    FAIL() << "a corrupt ledger was overwritten";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(ledger.file().string()), std::string::npos) << e.what();
  }
  std::ifstream in(ledger.file());
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "[1, 2");
}

TEST(Verdict, ImbalancedLabelsAreJudgedOnMccAgainstTheConstantBaseline) {
  TempDir dir("verdict_imbalanced");
  std::ostringstream out;
  RunResult run = train_recipe(imbalanced_recipe(dir.path), quiet(out), core_test_registry());
  EXPECT_EQ(run.primary_metric, "mcc") << out.str();
  ASSERT_TRUE(run.metrics["valid"].contains("mcc")) << out.str();  // added to the default metrics
  ASSERT_TRUE(run.baselines.contains("constant")) << out.str();
  EXPECT_NEAR(run.baselines["constant"]["valid"]["mcc"].get<double>(), 0.0, 1e-9);
  EXPECT_GT(run.baselines["constant"]["valid"]["accuracy"].get<double>(), 0.85);  // the majority share
  EXPECT_NE(out.str().find("verdict on mcc (valid, network"), std::string::npos) << out.str();
  // A threshold on x1 is linear: logistic regression is as good or better, and the verdict says so.
  EXPECT_NE(out.str().find("the network does not beat core.logistic"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("core.logistic BEATS the network on accuracy, mcc (valid)"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("the network beats constant on accuracy, mcc (valid)"), std::string::npos) << out.str();
  EXPECT_EQ(run.baselines["core.logistic"]["valid"]["mcc"].get<double>() >= run.metrics["valid"]["mcc"].get<double>(),
            true);
}

TEST(Verdict, TheRecipesPrimaryMetricDecidesAndMustBeAmongTheMetrics) {
  TempDir dir("verdict_primary");
  json recipe = imbalanced_recipe(dir.path);
  recipe["metrics"] = {"core.accuracy", "core.auroc"};
  recipe["primary_metric"] = "core.auroc";
  std::ostringstream out;
  RunResult run = train_recipe(recipe, quiet(out), core_test_registry());
  EXPECT_EQ(run.primary_metric, "auroc");
  EXPECT_FALSE(run.metrics["valid"].contains("mcc"));  // the recipe chose: nothing added

  recipe["primary_metric"] = "core.f1";
  try {
    train_recipe(recipe, quiet(out), core_test_registry());
    FAIL() << "a primary metric outside the metrics was accepted";
  } catch (const OptionError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("primary_metric: \"core.f1\" is not among the run's metrics", 0), 0u)
        << e.what();
  }
}

TEST(ConstantBaseline, PredictsTheTrainingPriorWhateverTheInput) {
  TempDir dir("constant_baseline");
  std::ostringstream out;
  json recipe = imbalanced_recipe(dir.path);
  recipe["baselines"] = json::array();  // only the constant, which every run has
  RunResult run = train_recipe(recipe, quiet(out), core_test_registry());
  ASSERT_EQ(run.baselines.size(), 1u) << run.baselines.dump();
  EXPECT_NE(run.baselines["constant"]["description"].get<std::string>().find("class frequencies"), std::string::npos);
}

TEST(Slices, EveryMetricPerValueWorstFirstWithItsFiles) {
  TempDir dir("slices");
  json recipe = tuning_recipe(dir.path);
  recipe["slices"] = {"label"};  // per class: the accuracy of a slice is that class's recall
  std::ostringstream out;
  RunOptions options = writing_run(out, dir.path / "run");
  RunResult run = train_recipe(recipe, options, core_test_registry());
  const json& rows = run.slices["label"]["valid"];
  ASSERT_EQ(rows.size(), 3u) << run.slices.dump();
  size_t total = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    total += rows[i]["rows"].get<size_t>();
    if (i > 0) {
      EXPECT_LE(rows[i - 1]["accuracy"].get<double>(), rows[i]["accuracy"].get<double>());  // worst first
    }
  }
  EXPECT_EQ(total, 120u);
  EXPECT_FALSE(run.slices["label"].contains("test"));  // sealed
  EXPECT_NE(out.str().find("slices by label (valid), worst accuracy first"), std::string::npos) << out.str();
  EXPECT_TRUE(fs::exists(options.out_dir / "slices.csv"));
  EXPECT_TRUE(fs::exists(options.out_dir / "slices_label_valid.svg"));

  recipe["slices"] = {"label", "speaker"};
  try {
    train_recipe(recipe, quiet(out), core_test_registry());
    FAIL() << "a slice column that does not exist was accepted";
  } catch (const OptionError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("slices[1]: the data has no column \"speaker\"", 0), 0u) << e.what();
  }
}

TEST(Calibration, TheTemperatureFittedOnValidIsExportedAndAppliedByPredict) {
  TempDir dir("calibration_run");
  std::ostringstream out;
  RunOptions options = writing_run(out, dir.path / "run");
  RunResult run = train_recipe(tuning_recipe(dir.path), options, core_test_registry());
  ASSERT_TRUE(run.calibration.is_object()) << out.str();
  const double t = run.calibration["temperature"].get<double>();
  EXPECT_GT(t, 0.05);
  EXPECT_LT(t, 20.0);
  EXPECT_LE(run.calibration["valid"]["ece_after"].get<double>(), run.calibration["valid"]["ece_before"].get<double>() + 1e-9);
  EXPECT_TRUE(fs::exists(options.out_dir / "reliability.svg"));
  EXPECT_NE(out.str().find("calibration: temperature"), std::string::npos) << out.str();

  const Predictor predictor = Predictor::load(run.model_file, core_test_registry());
  EXPECT_DOUBLE_EQ(predictor.temperature(), t);
  Records rows({"x1", "x2", "x3", "x4"}, "inline");
  rows.add_row({"0.1", "0.2", "0.3", "0.4"});
  const torch::Tensor expected = torch::softmax(predictor.outputs(rows)[0] / t, 0);
  const json decoded = predictor.predict(rows)[0];
  ASSERT_TRUE(decoded.contains("probabilities")) << decoded.dump();
  const auto classes = predictor.blocks()->target().block->classes();
  for (size_t c = 0; c < classes.size(); ++c)
    EXPECT_NEAR(decoded["probabilities"][classes[c]].get<double>(), expected[static_cast<int64_t>(c)].item<double>(),
                1e-5)
        << decoded.dump();
}

TEST(Sanity, ShuffledLabelsAndNoiseStayAtChanceAndTheRealModelBeatsNoise) {
  TempDir dir("sanity");
  json recipe = rings_recipe(dir.path, 1200, 6);
  std::ostringstream out;
  SanityOptions options;
  options.max_epochs = 6;
  options.out = &out;
  const json result = sanity_check(recipe, core_test_registry(), options);
  EXPECT_TRUE(result["passed"].get<bool>()) << out.str();
  EXPECT_TRUE(result["findings"].empty()) << out.str();
  const double chance = result["chance"], tolerance = result["tolerance"];
  EXPECT_NEAR(tolerance, std::max(0.05, 3.0 / std::sqrt(240.0)), 1e-9);
  EXPECT_LE(result["shuffled_labels"].get<double>(), chance + tolerance) << out.str();
  EXPECT_LE(result["noise_inputs"].get<double>(), chance + tolerance) << out.str();
  EXPECT_GT(result["real"].get<double>(), 0.85) << out.str();
  // core.regression inputs have no noise of their own: one run of the generic noise, named.
  ASSERT_EQ(result["noise_runs"].size(), 1u) << result.dump();
  EXPECT_EQ(result["noise_runs"][0]["noise"], json({{"x", "generic"}})) << result.dump();
  EXPECT_EQ(result["noise_runs"][0]["score"], result["noise_inputs"]);
  EXPECT_NE(out.str().find("noise (x: generic)"), std::string::npos) << out.str();

  // A refit recipe (no validation part) is judged on a fifth of its training rows.
  recipe["splitter"] = {{"name", "core.random"}, {"valid_pct", 0.0}, {"test_pct", 0.2}};
  const json refit = sanity_check(recipe, core_test_registry(), options);
  EXPECT_NE(refit["validation"].get<std::string>().find("a fifth of the training rows"), std::string::npos);
  EXPECT_NEAR(refit["tolerance"].get<double>(), std::max(0.05, 3.0 / std::sqrt(192.0)), 1e-9);
  EXPECT_TRUE(refit["passed"].get<bool>()) << out.str();
}

}  // namespace honest_evaluation_test
